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
  Id(Id&& other) noexcept : id_(other.id_), close_(other.close_) { other.id_ = -1; }
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

std::string OsReason(int error) { return std::error_code(error, std::generic_category()).message(); }

// Owns a file descriptor.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Opens and reads the first bytes as libhdf5 would, so that a file the OS refuses is reported with
// the OS's reason ("Permission denied", "Input/output error") rather than libhdf5's generic failure.
void CheckReadable(const std::string& path) {
  Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) throw DataError(path, "cannot be read (" + OsReason(errno) + ")");
  char signature[8];
  if (pread(fd.get(), signature, sizeof signature, 0) < 0) throw DataError(path, "cannot be read (" + OsReason(errno) + ")");
}

struct OpenVideo {
  Id file;
  Id dataset;
  int64_t frames;
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

std::unique_ptr<OpenVideo> Open(const std::string& path) {
  CheckReadable(path);
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
  H5Sget_simple_extent_dims(space.get(), dims, nullptr);
  auto video = std::unique_ptr<OpenVideo>(new OpenVideo{std::move(file), std::move(dataset), static_cast<int64_t>(dims[0])});
  return video;
}

// The most recently used videos, kept open: opening a file (and re-reading its heap of JPEGs) cost
// ~6x the read of a clip's 16 frames. Used only under HdfMutex().
class OpenVideos {
 public:
  static constexpr size_t kCapacity = 64;

  OpenVideo& Get(const std::string& path) {
    const FileStamp stamp = Stat(path);
    auto found = index_.find(path);
    if (found != index_.end()) {
      if (found->second->stamp == stamp) {
        recent_.splice(recent_.begin(), recent_, found->second);
        return *found->second->video;
      }
      Drop(path);
    }
    std::unique_ptr<OpenVideo> video = Open(path);
    recent_.push_front(Entry{path, stamp, std::move(video)});
    index_[path] = recent_.begin();
    while (recent_.size() > kCapacity) Drop(recent_.back().path);
    return *recent_.front().video;
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
    std::unique_ptr<OpenVideo> video;
  };
  std::list<Entry> recent_;  // most recent first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

OpenVideos& Cache() {
  static OpenVideos* cache = new OpenVideos();  // never destroyed: libhdf5 closes its files at exit
  return *cache;
}

}  // namespace

int64_t CountFrames(const std::string& path) {
  std::lock_guard<std::mutex> lock(HdfMutex());
  QuietThisThread();
  return Cache().Get(path).frames;
}

std::vector<Bytes> ReadFrames(const std::string& path, const std::vector<int64_t>& indices) {
  std::lock_guard<std::mutex> lock(HdfMutex());
  QuietThisThread();
  OpenVideo* video = &Cache().Get(path);
  if (video->frames == 0) throw DataError(path, "empty video (0 frames)");
  for (int64_t i : indices) {
    if (i < 0 || i >= video->frames) {
      throw DataError(path, "frame " + std::to_string(i) + " out of range (" + std::to_string(video->frames) + " frames)");
    }
  }
  std::vector<Bytes> out(indices.size());
  if (indices.empty()) return out;
  Id file_space(H5Dget_space(video->dataset.get()), H5Sclose);
  std::vector<hsize_t> coords(indices.begin(), indices.end());
  hsize_t count = coords.size();
  Id mem_space(H5Screate_simple(1, &count, nullptr), H5Sclose);
  Id mem_type(H5Tvlen_create(H5T_NATIVE_UINT8), H5Tclose);
  std::vector<hvl_t> buffers(indices.size());
  if (H5Sselect_elements(file_space.get(), H5S_SELECT_SET, count, coords.data()) < 0 ||
      H5Dread(video->dataset.get(), mem_type.get(), mem_space.get(), file_space.get(), H5P_DEFAULT, buffers.data()) < 0) {
    throw DataError(path, "dataset 'video' cannot be read (corrupt HDF5?)");
  }
  for (size_t i = 0; i < buffers.size(); ++i) {
    const auto* p = static_cast<const uint8_t*>(buffers[i].p);
    out[i].assign(p, p + buffers[i].len);
  }
  H5Dvlen_reclaim(mem_type.get(), mem_space.get(), H5P_DEFAULT, buffers.data());
  return out;
}

void WriteFrames(const std::string& path, const std::vector<Bytes>& frames) {
  std::lock_guard<std::mutex> lock(HdfMutex());
  QuietThisThread();
  Cache().Drop(path);  // libhdf5 refuses to truncate a file it has open
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
