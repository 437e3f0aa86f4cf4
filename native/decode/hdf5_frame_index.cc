#include "decode/hdf5_frame_index.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <unordered_map>

#include "decode/data_error.h"

namespace mnf::decode {

namespace {

uint64_t Align8(uint64_t n) { return (n + 7) & ~uint64_t{7}; }

// Little-endian unsigned integer of `bytes` (1..8) bytes.
uint64_t Decode(const uint8_t* p, unsigned bytes) {
  uint64_t value = 0;
  for (unsigned i = 0; i < bytes; ++i) value |= uint64_t{p[i]} << (8 * i);
  return value;
}

// libhdf5 writes an undefined address as all bits set.
bool IsUndefined(uint64_t address, unsigned bytes) {
  return bytes >= 8 ? address == UINT64_MAX : address == (uint64_t{1} << (8 * bytes)) - 1;
}

struct HeapObject {
  uint64_t offset;  // absolute offset of the data
  uint64_t size;
};

// The objects of one collection, up to the first fault found walking it (`fault`, empty when none).
struct Collection {
  std::unordered_map<uint32_t, HeapObject> objects;
  std::string fault;
};

// Reads the collection at relative address `address` and where each of its objects lies.
Collection ReadCollection(int fd, const std::string& path, const VlenLayout& layout, uint64_t address) {
  const std::string where = "the global heap collection at address " + std::to_string(address);
  Collection collection;
  const uint64_t header_bytes = 8 + layout.sizeof_size;
  if (address > layout.file_size || layout.base_address > layout.file_size - address ||
      header_bytes > layout.file_size - layout.base_address - address) {
    collection.fault = where + " lies past the end of the file (" + std::to_string(layout.file_size) + " bytes; corrupt HDF5)";
    return collection;
  }
  const uint64_t start = layout.base_address + address;
  uint8_t header[16];
  ReadExactly(fd, path, start, header_bytes, header);
  const uint64_t size = Decode(header + 8, layout.sizeof_size);
  if (std::memcmp(header, "GCOL", 4) != 0) {
    collection.fault = where + " has no GCOL signature (corrupt HDF5)";
  } else if (header[4] != 1) {
    collection.fault = where + " has version " + std::to_string(header[4]) + ", expected 1 (corrupt HDF5?)";
  } else if (size < Align8(header_bytes) || size > layout.file_size - start) {
    collection.fault = where + " claims " + std::to_string(size) + " bytes, past the end of the file (corrupt HDF5)";
  }
  if (!collection.fault.empty()) return collection;
  const uint64_t object_header = Align8(8 + layout.sizeof_size);
  const uint64_t end = start + size;
  uint64_t at = start + Align8(header_bytes);
  while (end - at >= object_header) {
    uint8_t bytes[24];
    ReadExactly(fd, path, at, object_header, bytes);
    const uint32_t index = static_cast<uint32_t>(Decode(bytes, 2));
    const uint64_t object_size = Decode(bytes + 8, layout.sizeof_size);
    auto broken = [&](const std::string& what) {
      return where + " is corrupt from byte " + std::to_string(at) + " (" + what + ")";
    };
    if (index == 0) {  // free space: its size counts its own header
      if (object_size < object_header || object_size > end - at) {
        collection.fault = broken("free space of " + std::to_string(object_size) + " bytes overruns it");
        return collection;
      }
      at += object_size;
      continue;
    }
    if (object_size > end - at - object_header || Align8(object_size) > end - at - object_header) {
      collection.fault = broken("object " + std::to_string(index) + " of " + std::to_string(object_size) + " bytes overruns it");
      return collection;
    }
    if (!collection.objects.emplace(index, HeapObject{at + object_header, object_size}).second) {
      collection.fault = broken("a second object " + std::to_string(index));
      return collection;
    }
    at += object_header + Align8(object_size);
  }
  return collection;
}

// Where element `e`'s bytes lie, or why they cannot be located.
FrameExtent Locate(int fd, const std::string& path, const VlenLayout& layout, const uint8_t* e,
                   std::unordered_map<uint64_t, Collection>& collections) {
  FrameExtent extent;
  const uint64_t length = Decode(e, 4);
  if (length == 0) return extent;  // an empty frame has no heap object to read
  const uint64_t address = Decode(e + 4, layout.sizeof_addr);
  const uint64_t index = Decode(e + 4 + layout.sizeof_addr, 4);
  if (IsUndefined(address, layout.sizeof_addr)) {
    extent.fault = "no heap address for its " + std::to_string(length) + " bytes (corrupt HDF5)";
    return extent;
  }
  auto found = collections.find(address);
  if (found == collections.end()) found = collections.emplace(address, ReadCollection(fd, path, layout, address)).first;
  const Collection& collection = found->second;
  // object indices are 16-bit, and 0 is the free space
  const auto missing = collection.objects.end();
  auto object = index == 0 || index > 0xFFFF ? missing : collection.objects.find(static_cast<uint32_t>(index));
  if (object == missing && !collection.fault.empty()) {
    extent.fault = collection.fault;
  } else if (object == missing) {
    extent.fault = "object " + std::to_string(index) + " is not in the global heap collection at address " +
                   std::to_string(address) + " (corrupt HDF5)";
  } else if (object->second.size != length) {
    extent.fault =
        std::to_string(length) + " bytes stored as a heap object of " + std::to_string(object->second.size) + " (corrupt HDF5)";
  } else {
    extent.offset = object->second.offset;
    extent.length = length;
  }
  return extent;
}

}  // namespace

void ReadExactly(int fd, const std::string& path, uint64_t offset, uint64_t size, uint8_t* out) {
  uint64_t done = 0;
  while (done < size) {
    const ssize_t n = pread(fd, out + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw DataError(path, "cannot be read (" + std::error_code(errno, std::generic_category()).message() + ")");
    }
    if (n == 0) throw DataError(path, "ends at byte " + std::to_string(offset + done) + " (truncated while being read?)");
    done += static_cast<uint64_t>(n);
  }
}

std::vector<FrameExtent> IndexFrames(int fd, const std::string& path, const VlenLayout& layout) {
  const uint64_t element_bytes = 4 + layout.sizeof_addr + 4;
  if (layout.elements > layout.file_size / element_bytes) {
    throw DataError(path, "dataset 'video' claims " + std::to_string(layout.elements) + " frames, more than a " +
                              std::to_string(layout.file_size) + "-byte file can hold (corrupt HDF5)");
  }
  const uint64_t bytes = layout.elements * element_bytes;
  if (layout.data_bytes != bytes) {
    throw DataError(path, "dataset 'video' stores " + std::to_string(layout.data_bytes) + " bytes for " +
                              std::to_string(layout.elements) + " frames, expected " + std::to_string(bytes) + " (corrupt HDF5)");
  }
  if (layout.data_offset > layout.file_size || bytes > layout.file_size - layout.data_offset) {
    throw DataError(path, "dataset 'video' lies past the end of the file (truncated or corrupt HDF5)");
  }
  std::vector<uint8_t> elements(bytes);
  ReadExactly(fd, path, layout.data_offset, bytes, elements.data());
  std::unordered_map<uint64_t, Collection> collections;
  std::vector<FrameExtent> frames(layout.elements);
  for (uint64_t i = 0; i < layout.elements; ++i) {
    frames[i] = Locate(fd, path, layout, elements.data() + i * element_bytes, collections);
  }
  return frames;
}

}  // namespace mnf::decode
