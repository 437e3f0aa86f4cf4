// A build without CUDA kernels: NCCL has no device to run on. ncclProblem says so, the other NCCL
// functions throw the same line, and ncclFinalize has no communicator to free.
#ifndef MNF_WITH_CUDA
#include <napi.h>

#include "modules.h"

namespace mnf {
namespace {

constexpr const char* kReason = "NCCL needs the CUDA build: this addon was built without CUDA kernels (nvcc was not found when it was built)";

Napi::Value NcclProblem(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), kReason); }

Napi::Value Absent(const Napi::CallbackInfo& info) { throw Napi::Error::New(info.Env(), kReason); }

Napi::Value NcclFinalize(const Napi::CallbackInfo& info) { return info.Env().Undefined(); }

}  // namespace

void RegisterNccl(Napi::Env env, Napi::Object exports) {
  exports.Set("ncclProblem", Napi::Function::New(env, NcclProblem, "ncclProblem"));
  for (const char* name : {"ncclUniqueId", "ncclInit", "ncclAllreduceSumDevice", "ncclAllgatherDevice", "ncclBroadcastDevice"}) {
    exports.Set(name, Napi::Function::New(env, Absent, name));
  }
  exports.Set("ncclFinalize", Napi::Function::New(env, NcclFinalize, "ncclFinalize"));
}

}  // namespace mnf
#endif
