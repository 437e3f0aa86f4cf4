#include "distributed/mpi_api.h"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "common/load_once.h"
#include "device/cuda_libraries.h"

namespace mnf::mpi {
namespace {

namespace fs = std::filesystem;

constexpr const char* kFileName = "libmpi.so.40";  // Open MPI 3.x-5.x's soname

std::string Joined(const std::vector<std::string>& folders) {
  std::string all;
  for (const std::string& folder : folders) all += (all.empty() ? "" : ", ") + folder;
  return all.empty() ? "(no folders)" : all;
}

// RTLD_GLOBAL: Open MPI's components (mca_*.so, opened by libmpi itself) resolve libmpi's and
// libopen-pal's symbols from the global scope. The handle is never closed: MPI lives until exit.
void* OpenFirst(const std::vector<std::string>& folders, std::string& path, std::string& firstError) {
  for (const std::string& folder : folders) {
    fs::path candidate = fs::path(folder) / kFileName;
    std::error_code error;
    if (!fs::is_regular_file(candidate, error)) continue;
    void* handle = dlopen(candidate.c_str(), RTLD_NOW | RTLD_GLOBAL);
    if (handle != nullptr) {
      path = candidate.string();
      return handle;
    }
    if (firstError.empty()) {
      const char* why = dlerror();
      firstError = candidate.string() + " does not load: " + (why ? why : "dlopen failed");
    }
  }
  return nullptr;
}

template <typename T>
void Bind(void* handle, const std::string& path, const char* name, T& target) {
  void* symbol = dlsym(handle, name);
  if (symbol == nullptr) throw std::runtime_error(path + " lacks " + name + " (not Open MPI 3 or later?)");
  target = reinterpret_cast<T>(symbol);
}

void BindAll(void* handle, Api& api) {
  Bind(handle, api.path, "MPI_Init_thread", api.Init_thread);
  Bind(handle, api.path, "MPI_Initialized", api.Initialized);
  Bind(handle, api.path, "MPI_Finalized", api.Finalized);
  Bind(handle, api.path, "MPI_Comm_rank", api.Comm_rank);
  Bind(handle, api.path, "MPI_Comm_size", api.Comm_size);
  Bind(handle, api.path, "MPI_Comm_set_errhandler", api.Comm_set_errhandler);
  Bind(handle, api.path, "MPI_Allreduce", api.Allreduce);
  Bind(handle, api.path, "MPI_Allgather", api.Allgather);
  Bind(handle, api.path, "MPI_Bcast", api.Bcast);
  Bind(handle, api.path, "MPI_Barrier", api.Barrier);
  Bind(handle, api.path, "MPI_Abort", api.Abort);
  Bind(handle, api.path, "MPI_Finalize", api.Finalize);
  Bind(handle, api.path, "MPI_Error_string", api.Error_string);
  // the predefined handles: the globals' addresses (OMPI_PREDEFINED_GLOBAL in mpi.h)
  Bind(handle, api.path, "ompi_mpi_comm_world", api.commWorld);
  Bind(handle, api.path, "ompi_mpi_float", api.floatType);
  Bind(handle, api.path, "ompi_mpi_int", api.intType);
  Bind(handle, api.path, "ompi_mpi_byte", api.byteType);
  Bind(handle, api.path, "ompi_mpi_op_sum", api.sum);
  Bind(handle, api.path, "ompi_mpi_errors_return", api.errorsReturn);
}

// MNF_MPI_LIB names the one file to load (another Open MPI than the one found first).
void* OpenNamed(const char* file, std::string& path) {
  void* handle = dlopen(file, RTLD_NOW | RTLD_GLOBAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    throw std::runtime_error(std::string("MNF_MPI_LIB=") + file + " does not load: " + (why ? why : "dlopen failed"));
  }
  path = file;
  return handle;
}

Api LoadApi() {
  Api api{};
  if (const char* file = std::getenv("MNF_MPI_LIB"); file != nullptr && *file != '\0') {
    BindAll(OpenNamed(file, api.path), api);
    return api;
  }
  std::vector<std::string> folders = SearchFolders();
  std::string firstError;
  void* handle = OpenFirst(folders, api.path, firstError);
  if (handle == nullptr) {
    throw std::runtime_error(firstError.empty() ? std::string("Open MPI's ") + kFileName + " not found (searched " + Joined(folders) +
                                                      "; install openmpi-bin and libopenmpi-dev, or set MNF_MPI_LIBS to its folder)"
                                                : firstError);
  }
  BindAll(handle, api);
  return api;
}

}  // namespace

std::vector<std::string> SearchFolders() {
  std::vector<std::string> folders;
  cuda_libraries::AppendPathList(std::getenv("MNF_MPI_LIBS"), folders);
  cuda_libraries::AppendPathList(std::getenv("LD_LIBRARY_PATH"), folders);
  for (const char* prefix : {std::getenv("OPAL_PREFIX"), std::getenv("MPI_HOME")}) {
    if (prefix != nullptr && *prefix != '\0') folders.push_back((fs::path(prefix) / "lib").string());
  }
  std::vector<std::string> bins;
  cuda_libraries::AppendPathList(std::getenv("PATH"), bins);
  for (const std::string& bin : bins) {
    std::error_code error;
    if (fs::exists(fs::path(bin) / "mpirun", error)) folders.push_back((fs::path(bin).parent_path() / "lib").string());
  }
  for (const char* folder : {"/usr/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu/openmpi/lib", "/usr/lib64/openmpi/lib",
                             "/usr/local/lib", "/opt/openmpi/lib"}) {
    folders.push_back(folder);
  }
  std::vector<std::string> unique;
  std::set<std::string> seen;
  for (std::string& folder : folders) {
    if (seen.insert(folder).second) unique.push_back(std::move(folder));
  }
  return unique;
}

const Api& Load() { return LoadOnce<Api, LoadApi>(); }

std::string ErrorText(const Api& api, int code) {
  char text[kMaxErrorString + 1] = {};
  int length = 0;
  if (api.Error_string(code, text, &length) != kSuccess || length <= 0) return "MPI error " + std::to_string(code);
  return std::string(text, static_cast<size_t>(length));
}

}  // namespace mnf::mpi
