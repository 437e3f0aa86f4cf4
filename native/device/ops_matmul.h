// Batched matrix product device op (float32) over device addresses, fused bias and activation
// included, in the math mode of device/math_mode.h: on the CUDA device cuBLAS or our tiled GEMM
// (cuda/matmul.h); on the emulated device native/kernels/matmul.cc's oneDNN code, with bf16 emulated
// (a, b and bias rounded to bf16, fp32 product, then device/matmul_epilogue.h's rounding; TF32 has
// no effect there).
#pragma once
#include "device/device.h"
#include "device/math_mode.h"
#include "kernels/matmul.h"

namespace mnf::device {

// The problem must have passed kernels::CheckMatMul; bias is null unless p.bias.
void MatMul(Device& d, const kernels::MatMulProblem& p, const MathMode& math, const float* a, const float* b, const float* bias, float* out);

}  // namespace mnf::device
