#pragma once
#include <napi.h>

namespace mnf::kernels {
// matMul
void RegisterMatMul(Napi::Env env, Napi::Object exports);
}
