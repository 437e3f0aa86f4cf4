#include "modules.h"

namespace mnf {
void RegisterKernels(Napi::Env env, Napi::Object exports) {}
}  // namespace mnf
