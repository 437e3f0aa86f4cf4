#include <napi.h>

#include "abi_version.h"
#include "modules.h"

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("abiVersion", Napi::Number::New(env, mnf::kAbiVersion));
  mnf::RegisterDevice(env, exports);
  mnf::RegisterDeviceMemory(env, exports);
  mnf::RegisterDeviceConvMatMul(env, exports);
  mnf::RegisterDeviceElementwise(env, exports);
  mnf::RegisterDeviceClips(env, exports);
  mnf::RegisterCudaLibraries(env, exports);
  mnf::RegisterKernels(env, exports);
  mnf::RegisterCsc(env, exports);
  mnf::RegisterDecode(env, exports);
  mnf::RegisterNorm(env, exports);
  mnf::RegisterDistributed(env, exports);
  mnf::RegisterNccl(env, exports);
  return exports;
}

NODE_API_MODULE(mnf_native, Init)
