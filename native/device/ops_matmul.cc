#include "device/ops_matmul.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "device/cuda_device.h"
#include "device/matmul_epilogue.h"
#include "device/ops_host.h"
#ifdef MNF_WITH_CUDA
#include "device/cuda/matmul.h"
#endif

namespace mnf::device {
namespace {

static_assert(int{kActLinear} == int{kernels::kLinear} && int{kActRelu} == int{kernels::kRelu} && int{kActRelu6} == int{kernels::kRelu6} &&
                  int{kActElu} == int{kernels::kElu} &&
                  int{kActSigmoid} == int{kernels::kSigmoid} && int{kActLeakyRelu} == int{kernels::kLeakyRelu},
              "device/matmul_epilogue.h's activation codes are kernels::Activation's");

std::vector<float> RoundedToBf16(const float* v, int64_t n) {
  std::vector<float> r(v, v + n);
  for (float& x : r) x = RoundToBf16(x);
  return r;
}

// bf16: the product of the rounded operands in fp32 (oneDNN, no fused post-ops), then the epilogue.
void RunEmulatedBf16(const kernels::MatMulProblem& p, const float* a, const float* b, const float* bias, float* out) {
  const int64_t rows = std::max(p.batchA, p.batchB) * p.m;
  if (rows * p.n == 0) return;
  const std::vector<float> a16 = RoundedToBf16(a, p.batchA * p.m * p.k);
  const std::vector<float> b16 = RoundedToBf16(b, p.batchB * p.k * p.n);
  kernels::MatMulProblem product = p;
  product.bias = false;
  product.activation = kernels::kLinear;
  kernels::RunMatMul(product, a16.data(), b16.data(), nullptr, out);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < p.n; ++c) out[r * p.n + c] = MatMulEpilogue(out[r * p.n + c], p.bias ? bias : nullptr, c, p.activation, p.alpha, true);
  }
}

}  // namespace

void MatMul(Device& d, const kernels::MatMulProblem& p, const MathMode& math, const float* a, const float* b, const float* bias, float* out) {
#ifdef MNF_WITH_CUDA
  if (CudaDevice* gpu = AsCudaDevice(d)) {
    const cuda::GemmDims dims{p.batchA, p.batchB, p.m, p.k, p.n, p.transposeA, p.transposeB, p.activation, p.alpha};
    cuda::MatMul(*gpu, dims, math, a, b, p.bias ? bias : nullptr, out);
    return;
  }
#endif
  RequireHostMemory(d, "deviceMatMul");
  if (math.bf16()) {
    RunEmulatedBf16(p, a, b, bias, out);
  } else {
    kernels::RunMatMul(p, a, b, bias, out);
  }
}

}  // namespace mnf::device
