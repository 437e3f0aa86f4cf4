#include "modules.h"

namespace mnf {
void RegisterDecode(Napi::Env env, Napi::Object exports) {}
}  // namespace mnf
