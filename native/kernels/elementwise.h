#pragma once
#include <napi.h>

namespace mnf::kernels {
// binary, unary, reduce: OpenMP loops over large activations.
void RegisterElementwise(Napi::Env env, Napi::Object exports);
}
