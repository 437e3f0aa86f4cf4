#include "kernels/conv.h"
#include "kernels/elementwise.h"
#include "kernels/matmul.h"
#include "modules.h"

namespace mnf {
// conv, convBackpropInput, convBackpropFilter, matMul, binary, unary, reduce
void RegisterKernels(Napi::Env env, Napi::Object exports) {
  kernels::RegisterConv(env, exports);
  kernels::RegisterMatMul(env, exports);
  kernels::RegisterElementwise(env, exports);
}
}  // namespace mnf
