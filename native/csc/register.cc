#include "modules.h"

namespace mnf {
void RegisterCsc(Napi::Env env, Napi::Object exports) {}
}  // namespace mnf
