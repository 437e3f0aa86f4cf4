// cudaLibraries() -> { searched: string[], libraries: { cudnn, cublas, cublasLt, nccl } }, each
//   { found: boolean, path?: string, version?: string | null, problem?: string }
// version is null for a library found whose version call is missing or fails (problem says why).
#include "device/cuda_libraries.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <system_error>
#include <vector>

#include "modules.h"

namespace mnf::cuda_libraries {
namespace {

namespace fs = std::filesystem;

// The only prototypes called; their declarations in cudnn.h, cublas_api.h, cublasLt.h and nccl.h.
using CudnnGetVersion = size_t (*)();
using CublasLtGetVersion = size_t (*)();
using CublasGetProperty = int (*)(int type, int* value);  // (libraryPropertyType, int*) -> cublasStatus_t
using NcclGetVersion = int (*)(int* version);              // ncclResult_t
constexpr int kMajorVersion = 0, kMinorVersion = 1, kPatchLevel = 2;  // libraryPropertyType (library_types.h)
constexpr int kSuccess = 0;                                           // CUBLAS_STATUS_SUCCESS, ncclSuccess

// A dlopen handle, closed with the object. RTLD_NODELETE keeps the code mapped past dlclose, so
// closing at process exit cannot pull a CUDA library out from under its own exit handlers.
class SharedLibrary {
 public:
  static std::unique_ptr<SharedLibrary> Open(const std::string& path, std::string& error) {
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (handle == nullptr) {
      const char* why = dlerror();
      error = why ? why : "dlopen failed";
      return nullptr;
    }
    return std::make_unique<SharedLibrary>(handle);
  }
  explicit SharedLibrary(void* handle) : handle_(handle) {}
  ~SharedLibrary() { dlclose(handle_); }
  SharedLibrary(const SharedLibrary&) = delete;
  SharedLibrary& operator=(const SharedLibrary&) = delete;

  void* Symbol(const char* name) const { return dlsym(handle_, name); }

 private:
  void* handle_;
};

struct Loaded {
  SearchResult result;
  std::array<std::unique_ptr<SharedLibrary>, kLibraries.size()> handles;
};

// File names in order of preference within one folder.
std::vector<std::string> FileNames(Library library) {
  switch (library) {
    case Library::kCudnn: return {"libcudnn.so.9"};
    case Library::kCublas: return {"libcublas.so.13", "libcublas.so.12"};
    case Library::kCublasLt: return {"libcublasLt.so.13", "libcublasLt.so.12"};
    case Library::kNccl: return {"libnccl.so.2"};
  }
  return {};
}

std::vector<fs::path> SortedChildren(const fs::path& folder) {
  std::vector<fs::path> children;
  std::error_code error;
  for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) children.push_back(it->path());
  std::sort(children.begin(), children.end());
  return children;
}

bool IsFolder(const fs::path& path) {
  std::error_code error;
  return fs::is_directory(path, error);
}

// <root>/python3*/{site,dist}-packages/nvidia/*/lib: where PyTorch's nvidia-* wheels put the libraries.
void AppendPythonWheelFolders(const fs::path& root, std::vector<std::string>& folders) {
  for (const fs::path& python : SortedChildren(root)) {
    if (python.filename().string().rfind("python3", 0) != 0) continue;
    for (const char* packages : {"site-packages", "dist-packages"}) {
      for (const fs::path& wheel : SortedChildren(python / packages / "nvidia")) {
        if (IsFolder(wheel / "lib")) folders.push_back((wheel / "lib").string());
      }
    }
  }
}

std::vector<std::string> SearchFolders() {
  std::vector<std::string> folders;
  AppendPathList(std::getenv("MNF_CUDA_LIBS"), folders);
  AppendPathList(std::getenv("LD_LIBRARY_PATH"), folders);
  for (const char* toolkit : {"/usr/local/cuda/lib64", "/usr/local/cuda/targets/x86_64-linux/lib", "/usr/lib/x86_64-linux-gnu"}) {
    folders.push_back(toolkit);
  }
  for (const char* prefix : {std::getenv("VIRTUAL_ENV"), std::getenv("CONDA_PREFIX")}) {
    if (prefix != nullptr && *prefix != '\0') AppendPythonWheelFolders(fs::path(prefix) / "lib", folders);
  }
  // the environment of each python3 on PATH (a virtual environment's bin/ sits beside its lib/)
  if (const char* path = std::getenv("PATH"); path != nullptr) {
    std::vector<std::string> bins;
    AppendPathList(path, bins);
    for (const std::string& bin : bins) {
      std::error_code error;
      if (fs::exists(fs::path(bin) / "python3", error)) AppendPythonWheelFolders(fs::path(bin).parent_path() / "lib", folders);
    }
  }
  AppendPythonWheelFolders("/usr/lib", folders);
  AppendPythonWheelFolders("/usr/local/lib", folders);
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    AppendPythonWheelFolders(fs::path(home) / ".local" / "lib", folders);
  }
  std::vector<std::string> unique;
  std::set<std::string> seen;
  for (std::string& folder : folders) {
    if (seen.insert(folder).second) unique.push_back(std::move(folder));
  }
  return unique;
}

// cuDNN 9, cuBLAS(Lt) and NCCL >= 2.9 encode a version as major * 10000 + minor * 100 + patch.
std::string DecimalVersion(size_t code) {
  return std::to_string(code / 10000) + "." + std::to_string(code % 10000 / 100) + "." + std::to_string(code % 100);
}

// Fills status.version, or status.problem when the library's version call is missing or fails.
void ReadVersion(Library library, const SharedLibrary& handle, LibraryStatus& status) {
  auto missing = [&](const char* symbol) { status.problem = std::string("no ") + symbol + " in " + status.path; };
  switch (library) {
    case Library::kCudnn: {
      auto get = reinterpret_cast<CudnnGetVersion>(handle.Symbol("cudnnGetVersion"));
      if (get == nullptr) return missing("cudnnGetVersion");
      size_t code = get();
      if (code == 0) status.problem = "cudnnGetVersion returned 0";
      else status.version = DecimalVersion(code);
      return;
    }
    case Library::kCublasLt: {
      auto get = reinterpret_cast<CublasLtGetVersion>(handle.Symbol("cublasLtGetVersion"));
      if (get == nullptr) return missing("cublasLtGetVersion");
      size_t code = get();
      if (code == 0) status.problem = "cublasLtGetVersion returned 0";
      else status.version = DecimalVersion(code);
      return;
    }
    case Library::kCublas: {
      auto get = reinterpret_cast<CublasGetProperty>(handle.Symbol("cublasGetProperty"));
      if (get == nullptr) return missing("cublasGetProperty");
      int parts[3] = {0, 0, 0};
      const int types[3] = {kMajorVersion, kMinorVersion, kPatchLevel};
      for (int i = 0; i < 3; ++i) {
        int rc = get(types[i], &parts[i]);
        if (rc != kSuccess) {
          status.problem = "cublasGetProperty(" + std::to_string(types[i]) + ") returned status " + std::to_string(rc);
          return;
        }
      }
      status.version = std::to_string(parts[0]) + "." + std::to_string(parts[1]) + "." + std::to_string(parts[2]);
      return;
    }
    case Library::kNccl: {
      auto get = reinterpret_cast<NcclGetVersion>(handle.Symbol("ncclGetVersion"));
      if (get == nullptr) return missing("ncclGetVersion");
      int code = 0;
      int rc = get(&code);
      if (rc != kSuccess) {
        status.problem = "ncclGetVersion returned status " + std::to_string(rc);
      } else if (code <= 0) {
        status.problem = "ncclGetVersion gave " + std::to_string(code);
      } else if (code < 10000) {  // NCCL before 2.9: major * 1000 + minor * 100 + patch
        status.version = std::to_string(code / 1000) + "." + std::to_string(code % 1000 / 100) + "." + std::to_string(code % 100);
      } else {
        status.version = DecimalVersion(static_cast<size_t>(code));
      }
      return;
    }
  }
}

// The first candidate file, folder by folder, that loads; a file that exists but fails to load is
// passed over, and its error reported only when no later candidate loads.
std::unique_ptr<SharedLibrary> Load(Library library, const std::vector<std::string>& folders, LibraryStatus& status) {
  std::string firstError;
  for (const std::string& folder : folders) {
    for (const std::string& name : FileNames(library)) {
      fs::path candidate = fs::path(folder) / name;
      std::error_code error;
      if (!fs::is_regular_file(candidate, error)) continue;
      std::string why;
      std::unique_ptr<SharedLibrary> handle = SharedLibrary::Open(candidate.string(), why);
      if (handle == nullptr) {
        if (firstError.empty()) firstError = candidate.string() + " does not load: " + why;
        continue;
      }
      status.found = true;
      status.path = candidate.string();
      ReadVersion(library, *handle, status);
      return handle;
    }
  }
  status.problem = firstError;
  return nullptr;
}

const Loaded& State() {
  static const Loaded loaded = [] {
    Loaded state;
    state.result.searched = SearchFolders();
    // cuBLASLt first: libcublas names it as a dependency by soname, which then resolves to this copy.
    for (Library library : {Library::kCublasLt, Library::kCublas, Library::kCudnn, Library::kNccl}) {
      size_t index = static_cast<size_t>(library);
      state.handles[index] = Load(library, state.result.searched, state.result.libraries[index]);
    }
    return state;
  }();
  return loaded;
}

Napi::Value CudaLibraries(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const SearchResult& result = Find();
  Napi::Array searched = Napi::Array::New(env, result.searched.size());
  for (size_t i = 0; i < result.searched.size(); ++i) searched.Set(static_cast<uint32_t>(i), result.searched[i]);
  Napi::Object libraries = Napi::Object::New(env);
  for (Library library : kLibraries) {
    const LibraryStatus& status = result[library];
    Napi::Object entry = Napi::Object::New(env);
    entry.Set("found", status.found);
    if (status.found) {
      entry.Set("path", status.path);
      entry.Set("version", status.version ? Napi::Value(Napi::String::New(env, *status.version)) : env.Null());
    }
    if (!status.problem.empty()) entry.Set("problem", status.problem);
    libraries.Set(Name(library), entry);
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("searched", searched);
  out.Set("libraries", libraries);
  return out;
}

}  // namespace

void AppendPathList(const char* list, std::vector<std::string>& folders) {
  if (list == nullptr) return;
  std::string all(list);
  size_t start = 0;
  while (start <= all.size()) {
    size_t end = all.find(':', start);
    if (end == std::string::npos) end = all.size();
    if (end > start) folders.push_back(all.substr(start, end - start));
    start = end + 1;
  }
}

const char* Name(Library library) {
  switch (library) {
    case Library::kCudnn: return "cudnn";
    case Library::kCublas: return "cublas";
    case Library::kCublasLt: return "cublasLt";
    case Library::kNccl: return "nccl";
  }
  return "?";
}

const SearchResult& Find() { return State().result; }

void* Symbol(Library library, const char* symbol) {
  const std::unique_ptr<SharedLibrary>& handle = State().handles[static_cast<size_t>(library)];
  return handle ? handle->Symbol(symbol) : nullptr;
}

}  // namespace mnf::cuda_libraries

namespace mnf {
void RegisterCudaLibraries(Napi::Env env, Napi::Object exports) {
  exports.Set("cudaLibraries", Napi::Function::New(env, cuda_libraries::CudaLibraries, "cudaLibraries"));
}
}  // namespace mnf
