#pragma once
#include <napi.h>

namespace mnf::kernels {
// conv, convBackpropInput, convBackpropFilter
void RegisterConv(Napi::Env env, Napi::Object exports);
}
