#include "device/ops_matmul.h"

#include "device/ops_host.h"

namespace mnf::device {

void MatMul(Device& d, const kernels::MatMulProblem& p, const float* a, const float* b, const float* bias, float* out) {
  RequireHostMemory(d, "deviceMatMul");
  kernels::RunMatMul(p, a, b, bias, out);
}

}  // namespace mnf::device
