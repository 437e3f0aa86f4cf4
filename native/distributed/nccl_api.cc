// Built only with CUDA: NCCL runs on CUDA devices, and a build without CUDA has none.
#ifdef MNF_WITH_CUDA
#include "distributed/nccl_api.h"

#include <dlfcn.h>

#include <cstdlib>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/load_once.h"
#include "device/cuda_libraries.h"

namespace mnf::nccl {
namespace {

using Lookup = std::function<void*(const char*)>;

std::string Joined(const std::vector<std::string>& folders) {
  std::string all;
  for (const std::string& folder : folders) all += (all.empty() ? "" : ", ") + folder;
  return all.empty() ? "(no folders)" : all;
}

template <typename T>
void Bind(const Lookup& lookup, const std::string& path, const char* name, T& target) {
  void* symbol = lookup(name);
  if (symbol == nullptr) throw std::runtime_error(path + " lacks " + name + " (not NCCL 2.x?)");
  target = reinterpret_cast<T>(symbol);
}

// ncclGetVersion's code: major * 10000 + minor * 100 + patch from NCCL 2.9 on, major * 1000 +
// minor * 100 + patch before (NCCL_VERSION in nccl.h).
std::string VersionText(int code) {
  if (code < 10000) return std::to_string(code / 1000) + "." + std::to_string(code % 1000 / 100) + "." + std::to_string(code % 100);
  return std::to_string(code / 10000) + "." + std::to_string(code % 10000 / 100) + "." + std::to_string(code % 100);
}

void BindAll(const Lookup& lookup, Api& api) {
  Bind(lookup, api.path, "ncclGetVersion", api.GetVersion);
  Bind(lookup, api.path, "ncclGetUniqueId", api.GetUniqueId);
  Bind(lookup, api.path, "ncclCommInitRank", api.CommInitRank);
  Bind(lookup, api.path, "ncclAllReduce", api.AllReduce);
  Bind(lookup, api.path, "ncclAllGather", api.AllGather);
  Bind(lookup, api.path, "ncclBroadcast", api.Broadcast);
  Bind(lookup, api.path, "ncclCommDestroy", api.CommDestroy);
  Bind(lookup, api.path, "ncclCommAbort", api.CommAbort);
  Bind(lookup, api.path, "ncclGetErrorString", api.GetErrorString);
  int code = 0;
  const Result rc = api.GetVersion(&code);
  if (rc != kSuccess || code <= 0) {
    throw std::runtime_error(api.path + ": ncclGetVersion failed (" + (rc != kSuccess ? api.GetErrorString(rc) : "version " + std::to_string(code)) + ")");
  }
  api.version = VersionText(code);
}

Api LoadApi() {
  Api api{};
  // MNF_NCCL_LIB names the one file to load (another NCCL than the one the search finds first).
  // RTLD_NODELETE: never unmapped, so process exit cannot pull NCCL out from under its own threads.
  if (const char* file = std::getenv("MNF_NCCL_LIB"); file != nullptr && *file != '\0') {
    void* handle = dlopen(file, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (handle == nullptr) {
      const char* why = dlerror();
      throw std::runtime_error(std::string("MNF_NCCL_LIB=") + file + " does not load: " + (why ? why : "dlopen failed"));
    }
    api.path = file;
    BindAll([handle](const char* name) { return dlsym(handle, name); }, api);
    return api;
  }
  const cuda_libraries::SearchResult& search = cuda_libraries::Find();
  const cuda_libraries::LibraryStatus& status = search[cuda_libraries::Library::kNccl];
  if (!status.found) {
    throw std::runtime_error(status.problem.empty()
                                 ? "NCCL's libnccl.so.2 not found (searched " + Joined(search.searched) +
                                       "; PyTorch's nvidia-nccl-cu* wheel installs it; or set MNF_NCCL_LIB to the file, or MNF_CUDA_LIBS to its folder)"
                                 : status.problem);
  }
  api.path = status.path;
  BindAll([](const char* name) { return cuda_libraries::Symbol(cuda_libraries::Library::kNccl, name); }, api);
  return api;
}

}  // namespace

const Api& Load() { return LoadOnce<Api, LoadApi>(); }

std::string ErrorText(const Api& api, const char* what, Result result) {
  const char* text = api.GetErrorString(result);
  return std::string(what) + ": " + (text != nullptr ? text : "NCCL error " + std::to_string(result));
}

}  // namespace mnf::nccl
#endif
