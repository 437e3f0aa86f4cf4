#include <omp.h>

#include <oneapi/dnnl/dnnl.hpp>

#include "common/napi_args.h"
#include "cuda/device.h"
#include "modules.h"

namespace mnf {

#ifndef MNF_WITH_CUDA
namespace cuda {
bool Built() { return false; }
void QueryDevices(std::vector<DeviceInfo>&, std::string& reason) { reason = "addon built without CUDA (nvcc not found at build time)"; }
bool Available() { return false; }
}  // namespace cuda
#endif

// deviceInfo() -> { cudaBuilt, devices: [{index, name, totalMemory, computeCapability}], cudaReason,
//                   dnnlVersion, threads, cores }
static Napi::Value DeviceInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<cuda::DeviceInfo> devices;
  std::string reason;
  cuda::QueryDevices(devices, reason);
  Napi::Object out = Napi::Object::New(env);
  out.Set("cudaBuilt", cuda::Built());
  Napi::Array list = Napi::Array::New(env, devices.size());
  for (size_t i = 0; i < devices.size(); ++i) {
    Napi::Object d = Napi::Object::New(env);
    d.Set("index", devices[i].index);
    d.Set("name", devices[i].name);
    d.Set("totalMemory", static_cast<double>(devices[i].totalMemory));
    d.Set("computeCapability", std::to_string(devices[i].computeMajor) + "." + std::to_string(devices[i].computeMinor));
    list.Set(static_cast<uint32_t>(i), d);
  }
  out.Set("devices", list);
  out.Set("cudaReason", devices.empty() ? reason : std::string());
  const dnnl_version_t* v = dnnl_version();
  out.Set("dnnlVersion", std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch));
  out.Set("threads", omp_get_max_threads());
  out.Set("cores", omp_get_num_procs());
  return out;
}

// setThreads(n): threads used by oneDNN and the addon's own parallel loops.
static Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  int64_t n = ExpectInt(Arg(info, 0, "threads"), "threads");
  if (n < 1 || n > 1024) ThrowRange(info.Env(), "threads: expected 1..1024, got " + std::to_string(n));
  omp_set_num_threads(static_cast<int>(n));
  return info.Env().Undefined();
}

void RegisterDevice(Napi::Env env, Napi::Object exports) {
  exports.Set("deviceInfo", Napi::Function::New(env, DeviceInfo, "deviceInfo"));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads, "setThreads"));
}

}  // namespace mnf
