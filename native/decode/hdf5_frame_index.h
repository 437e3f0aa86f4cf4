// Where each frame's JPEG bytes lie in an .hdf5 file, read from the file's own structures with every
// size and offset checked against the file. libhdf5 1.10 dereferences a vlen element's global heap
// ID with only assert()s (off in release builds): a corrupt element or heap crashes H5Dread. So the
// frames are located here instead, and read with pread.
//
// On disk (HDF5 file format specification, "Global Heap" and "Variable-length" datatype):
//   vlen element:    sequence length (4 bytes) | heap collection address (sizeof_addr) | object index (4)
//   heap collection: "GCOL" | version 1 | 3 reserved | collection size (sizeof_size); objects follow
//                    at the header's size rounded up to 8
//   heap object:     index (2) | reference count (2) | 4 reserved | data size (sizeof_size) | data,
//                    padded to a multiple of 8; index 0 is the free space (its size counts its header)
// All little-endian. Addresses are relative to the base address (the user block's size).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace mnf::decode {

// The layout of a contiguous dataset of vlen uint8, as libhdf5 reports it.
struct VlenLayout {
  uint64_t file_size = 0;
  uint64_t data_offset = 0;   // absolute offset of the first element
  uint64_t data_bytes = 0;    // storage size libhdf5 reports
  uint64_t elements = 0;
  uint64_t base_address = 0;  // heap addresses are relative to it
  unsigned sizeof_addr = 8;
  unsigned sizeof_size = 8;
};

struct FrameExtent {
  uint64_t offset = 0;  // absolute offset in the file
  uint64_t length = 0;
  std::string fault;    // why the frame's bytes cannot be located (then unreadable); empty when they can
};

// One extent per element. A fault of the dataset as a whole (its elements past the end of the file)
// throws DataError(path, ...); a frame whose bytes cannot be located gets its `fault`, so the
// frames before a corrupt part of a heap stay readable, as they were through libhdf5.
std::vector<FrameExtent> IndexFrames(int fd, const std::string& path, const VlenLayout& layout);

// Reads `size` bytes at `offset`; throws DataError(path, ...) on an OS error or a short read.
void ReadExactly(int fd, const std::string& path, uint64_t offset, uint64_t size, uint8_t* out);

}  // namespace mnf::decode
