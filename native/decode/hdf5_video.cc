#include "decode/hdf5_video.h"

#include <fcntl.h>
#include <hdf5.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <list>
#include <memory>
#include <mutex>
#include <system_error>
#include <unordered_map>

#include "decode/data_error.h"
#include "decode/hdf5_frame_index.h"

namespace mnf::decode {

namespace {

std::mutex& HdfMutex() {
  static std::mutex mutex;
  return mutex;
}

// Owns one HDF5 identifier and closes it with the matching H5?close.
class Id {
 public:
  Id(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~Id() {
    if (id_ >= 0) close_(id_);
  }
  Id(const Id&) = delete;
  Id& operator=(const Id&) = delete;
  hid_t get() const { return id_; }
  bool ok() const { return id_ >= 0; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

// Silences libhdf5's error stack printing on the calling thread (errors become DataError messages
// instead). The thread-safe libhdf5 keeps one error stack, and so one printing switch, per thread:
// every thread that calls libhdf5 (the decode pool's, libuv's) must turn it off for itself.
void QuietThisThread() {
  thread_local bool quiet = false;
  if (quiet) return;
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  quiet = true;
}

// The one lock over libhdf5 and the open videos. On leaving it clears this thread's libhdf5 error
// stack: a failed call leaves its records there, holding references to libhdf5's error messages,
// and at exit the library (closing from the main thread) cannot release those of a decode thread's
// stack ("HDF5: infinite loop closing library").
class HdfSection {
 public:
  HdfSection() : lock_(HdfMutex()) { QuietThisThread(); }
  ~HdfSection() { H5Eclear2(H5E_DEFAULT); }
  HdfSection(const HdfSection&) = delete;
  HdfSection& operator=(const HdfSection&) = delete;

 private:
  std::lock_guard<std::mutex> lock_;
};

std::string OsReason(int error) { return std::error_code(error, std::generic_category()).message(); }

// Owns a file descriptor.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(Fd&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Opens and reads the first bytes as libhdf5 would, so that a file the OS refuses is reported with
// the OS's reason ("Permission denied", "Input/output error") rather than libhdf5's generic failure.
Fd OpenReadable(const std::string& path) {
  Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) throw DataError(path, "cannot be read (" + OsReason(errno) + ")");
  char signature[8];
  if (pread(fd.get(), signature, sizeof signature, 0) < 0) throw DataError(path, "cannot be read (" + OsReason(errno) + ")");
  return fd;
}

struct OpenVideo {
  Fd fd;
  std::vector<FrameExtent> frames;
};

// What identifies the file's contents on disk: a path rewritten or replaced is opened afresh.
struct FileStamp {
  dev_t device;
  ino_t inode;
  off_t size;
  int64_t mtime_ns;
  bool operator==(const FileStamp& o) const {
    return device == o.device && inode == o.inode && size == o.size && mtime_ns == o.mtime_ns;
  }
};

const char* FileKind(mode_t mode) {
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
  return "an unusual file";
}

FileStamp Stat(const std::string& path) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) {
    const int error = errno;
    throw DataError(path, error == ENOENT ? "file not found" : "cannot be read (" + OsReason(error) + ")");
  }
  if (!S_ISREG(info.st_mode)) throw DataError(path, std::string("not a regular file (") + FileKind(info.st_mode) + ")");
  return {info.st_dev, info.st_ino, info.st_size, int64_t{info.st_mtim.tv_sec} * 1000000000 + info.st_mtim.tv_nsec};
}

const char* LayoutName(H5D_layout_t layout) {
  switch (layout) {
    case H5D_COMPACT:
      return "compact";
    case H5D_CHUNKED:
      return "chunked";
    case H5D_VIRTUAL:
      return "virtual";
    default:
      return "in an unknown layout";
  }
}

bool IsFieldSize(size_t bytes) { return bytes == 2 || bytes == 4 || bytes == 8; }

// What libhdf5 says of the file's `video` dataset: a 1-D contiguous vlen uint8 array, and where it
// lies. Every HDF5 object opened here is closed before returning.
VlenLayout DescribeVideo(const std::string& path, uint64_t file_size) {
  htri_t is_hdf5 = H5Fis_hdf5(path.c_str());
  if (is_hdf5 < 0) throw DataError(path, "cannot be read");
  if (is_hdf5 == 0) throw DataError(path, "not an HDF5 file");
  Id file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!file.ok()) throw DataError(path, "HDF5 file cannot be opened (corrupt?)");
  if (H5Lexists(file.get(), "video", H5P_DEFAULT) <= 0) throw DataError(path, "no dataset 'video' in the HDF5 file");
  Id dataset(H5Dopen2(file.get(), "video", H5P_DEFAULT), H5Dclose);
  if (!dataset.ok()) throw DataError(path, "dataset 'video' cannot be opened");
  Id type(H5Dget_type(dataset.get()), H5Tclose);
  bool vlen_u8 = false;
  if (type.ok() && H5Tget_class(type.get()) == H5T_VLEN) {
    Id base(H5Tget_super(type.get()), H5Tclose);
    vlen_u8 = base.ok() && H5Tget_class(base.get()) == H5T_INTEGER && H5Tget_size(base.get()) == 1;
  }
  if (!vlen_u8) throw DataError(path, "dataset 'video' is not variable-length uint8 (one JPEG per frame)");
  Id space(H5Dget_space(dataset.get()), H5Sclose);
  if (!space.ok() || H5Sget_simple_extent_ndims(space.get()) != 1) throw DataError(path, "dataset 'video' is not 1-D");
  hsize_t dims[1] = {0};
  if (H5Sget_simple_extent_dims(space.get(), dims, nullptr) != 1) {
    throw DataError(path, "dataset 'video' has no readable size (corrupt HDF5)");
  }
  Id creation(H5Dget_create_plist(dataset.get()), H5Pclose);
  const H5D_layout_t storage = creation.ok() ? H5Pget_layout(creation.get()) : H5D_LAYOUT_ERROR;
  if (storage != H5D_CONTIGUOUS) {
    throw DataError(path, std::string("dataset 'video' is stored ") + LayoutName(storage) +
                              ", expected contiguous storage (as h5py writes it)");
  }
  Id file_creation(H5Fget_create_plist(file.get()), H5Pclose);
  size_t sizeof_addr = 0, sizeof_size = 0;
  hsize_t user_block = 0;
  if (!file_creation.ok() || H5Pget_sizes(file_creation.get(), &sizeof_addr, &sizeof_size) < 0 ||
      H5Pget_userblock(file_creation.get(), &user_block) < 0) {
    throw DataError(path, "HDF5 file's creation properties cannot be read (corrupt?)");
  }
  if (!IsFieldSize(sizeof_addr) || !IsFieldSize(sizeof_size)) {
    throw DataError(path, "HDF5 file uses " + std::to_string(sizeof_addr) + "-byte addresses and " + std::to_string(sizeof_size) +
                              "-byte lengths, expected 2, 4 or 8 (corrupt?)");
  }
  VlenLayout layout;
  layout.file_size = file_size;
  layout.elements = dims[0];
  layout.base_address = user_block;
  layout.sizeof_addr = static_cast<unsigned>(sizeof_addr);
  layout.sizeof_size = static_cast<unsigned>(sizeof_size);
  if (layout.elements > 0) {
    const haddr_t offset = H5Dget_offset(dataset.get());
    if (offset == HADDR_UNDEF) {
      throw DataError(path, "dataset 'video' has " + std::to_string(dims[0]) + " frames but no stored data (corrupt HDF5)");
    }
    layout.data_offset = offset;
    layout.data_bytes = H5Dget_storage_size(dataset.get());
  }
  return layout;
}

std::shared_ptr<const OpenVideo> Open(const std::string& path) {
  Fd fd = OpenReadable(path);
  struct stat info {};
  if (fstat(fd.get(), &info) != 0) throw DataError(path, "cannot be read (" + OsReason(errno) + ")");
  const VlenLayout layout = DescribeVideo(path, static_cast<uint64_t>(info.st_size));
  std::vector<FrameExtent> frames = IndexFrames(fd.get(), path, layout);
  return std::make_shared<const OpenVideo>(OpenVideo{std::move(fd), std::move(frames)});
}

// The most recently used videos, kept open: opening a file (libhdf5's open, then locating every
// frame) costs several times the read of a clip's 16 frames. Used only under HdfMutex().
class OpenVideos {
 public:
  static constexpr size_t kCapacity = 64;

  // Shared: a reader keeps the video (its file descriptor) while it reads outside the lock.
  std::shared_ptr<const OpenVideo> Get(const std::string& path) {
    const FileStamp stamp = Stat(path);
    auto found = index_.find(path);
    if (found != index_.end()) {
      if (found->second->stamp == stamp) {
        recent_.splice(recent_.begin(), recent_, found->second);
        return found->second->video;
      }
      Drop(path);
    }
    std::shared_ptr<const OpenVideo> video = Open(path);
    recent_.push_front(Entry{path, stamp, video});
    index_[path] = recent_.begin();
    while (recent_.size() > kCapacity) Drop(recent_.back().path);
    return video;
  }

  void Drop(const std::string& path) {
    auto found = index_.find(path);
    if (found == index_.end()) return;
    recent_.erase(found->second);
    index_.erase(found);
  }

  void Clear() {
    index_.clear();
    recent_.clear();
  }

  size_t Size() const { return recent_.size(); }

 private:
  struct Entry {
    std::string path;
    FileStamp stamp;
    std::shared_ptr<const OpenVideo> video;
  };
  std::list<Entry> recent_;  // most recent first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

OpenVideos& Cache() {
  static OpenVideos* cache = new OpenVideos();  // never destroyed: decode threads may still read at exit
  return *cache;
}

}  // namespace

int64_t CountFrames(const std::string& path) {
  HdfSection section;
  return static_cast<int64_t>(Cache().Get(path)->frames.size());
}

std::vector<Bytes> ReadFrames(const std::string& path, const std::vector<int64_t>& indices) {
  std::shared_ptr<const OpenVideo> video;
  {
    HdfSection section;
    video = Cache().Get(path);
  }
  const int64_t frames = static_cast<int64_t>(video->frames.size());
  if (frames == 0) throw DataError(path, "empty video (0 frames)");
  for (int64_t i : indices) {
    if (i < 0 || i >= frames) {
      throw DataError(path, "frame " + std::to_string(i) + " out of range (" + std::to_string(frames) + " frames)");
    }
  }
  std::vector<Bytes> out(indices.size());
  for (size_t i = 0; i < indices.size(); ++i) {
    const FrameExtent& extent = video->frames[static_cast<size_t>(indices[i])];
    if (!extent.fault.empty()) throw DataError(path, "frame " + std::to_string(indices[i]) + ": " + extent.fault);
    out[i].resize(extent.length);
    ReadExactly(video->fd.get(), path, extent.offset, extent.length, out[i].data());
  }
  return out;
}

void WriteFrames(const std::string& path, const std::vector<Bytes>& frames) {
  HdfSection section;
  Cache().Drop(path);  // a rewrite within the clock's resolution may keep the file's stamp
  Id file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
  if (!file.ok()) throw DataError(path, "cannot create HDF5 file");
  hsize_t count = frames.size();
  Id space(H5Screate_simple(1, &count, nullptr), H5Sclose);
  Id type(H5Tvlen_create(H5T_NATIVE_UINT8), H5Tclose);
  Id dataset(H5Dcreate2(file.get(), "video", type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose);
  if (!dataset.ok()) throw DataError(path, "cannot create dataset 'video'");
  std::vector<hvl_t> buffers(frames.size());
  for (size_t i = 0; i < frames.size(); ++i) {
    buffers[i].len = frames[i].size();
    buffers[i].p = const_cast<uint8_t*>(frames[i].data());
  }
  if (count > 0 && H5Dwrite(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buffers.data()) < 0) {
    throw DataError(path, "cannot write dataset 'video'");
  }
}

void CloseVideos() {
  std::lock_guard<std::mutex> lock(HdfMutex());
  Cache().Clear();
}

size_t OpenVideoCount() {
  std::lock_guard<std::mutex> lock(HdfMutex());
  return Cache().Size();
}

}  // namespace mnf::decode
