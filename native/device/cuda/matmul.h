// The CUDA batched matrix product (matmul.cu): cuBLAS when it was loaded, else our tiled
// shared-memory GEMM; bias and activation in an epilogue (device/matmul_epilogue.h). Plain C++.
#pragma once
#include <cstdint>

#include "device/math_mode.h"

namespace mnf::device {
class CudaDevice;
}

namespace mnf::device::cuda {

// out[b] = act(op(a[b]) · op(b[b]) + bias), as kernels::MatMulProblem: a stored (batchA, m, k) or,
// transposed, (batchA, k, m); b (batchB, k, n) or (batchB, n, k); a batch of 1 broadcast; out
// (max batch, m, n); bias (n). Activation codes: kernels::Activation.
struct GemmDims {
  int64_t batchA = 0, batchB = 0, m = 0, k = 0, n = 0;
  bool transposeA = false, transposeB = false;
  int activation = 0;
  float alpha = 0.f;  // leaky relu slope
};

/** Runs on gpu.stream(), no host synchronisation; device pointers, bias null when absent.
 *  MNF_CUDA_KERNELS=own skips cuBLAS. */
void MatMul(CudaDevice& gpu, const GemmDims& dims, const MathMode& math, const float* a, const float* b, const float* bias, float* out);

}  // namespace mnf::device::cuda
