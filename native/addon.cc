#include <napi.h>

#include "modules.h"

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  mnf::RegisterDevice(env, exports);
  mnf::RegisterKernels(env, exports);
  mnf::RegisterCsc(env, exports);
  mnf::RegisterDecode(env, exports);
  mnf::RegisterNorm(env, exports);
  return exports;
}

NODE_API_MODULE(mnf_native, Init)
