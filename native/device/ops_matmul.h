// Batched matrix product device op (float32) over device addresses; on the emulated device it runs
// native/kernels/matmul.cc's oneDNN code, fused bias and activation included.
#pragma once
#include "device/device.h"
#include "kernels/matmul.h"

namespace mnf::device {

// The problem must have passed kernels::CheckMatMul; bias is null unless p.bias.
void MatMul(Device& d, const kernels::MatMulProblem& p, const float* a, const float* b, const float* bias, float* out);

}  // namespace mnf::device
