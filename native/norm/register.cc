#include "modules.h"

namespace mnf {
void RegisterNorm(Napi::Env env, Napi::Object exports) {}
}  // namespace mnf
