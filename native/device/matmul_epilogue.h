// What a matrix product does to each accumulated value, shared by the emulated device's bf16 path and
// the CUDA kernels: out = act(acc + bias[n]) in fp32; under bf16 the bias is read rounded to bf16, the
// sum is rounded to bf16 (the bf16 output of PyTorch autocast's addmm, whose bias is added in fp32
// before the rounding) and the activation's result is rounded again (the activation runs on a bf16
// tensor there). Activation codes: kernels::Activation (native/kernels/matmul.h).
#pragma once
#include <cmath>
#include <cstdint>

#include "device/math_mode.h"

namespace mnf::device {

enum MatMulActivationCode { kActLinear = 0, kActRelu = 1, kActRelu6 = 2, kActElu = 3, kActSigmoid = 4, kActLeakyRelu = 5 };

MNF_HOST_DEVICE inline float Activate(float v, int activation, float alpha) {
  switch (activation) {
    case kActRelu: return v > 0.f ? v : 0.f;
    case kActRelu6: return v > 0.f ? (v < 6.f ? v : 6.f) : 0.f;
    case kActElu: return v > 0.f ? v : expm1f(v);
    case kActSigmoid: return 1.f / (1.f + expf(-v));
    case kActLeakyRelu: return v > 0.f ? v : alpha * v;
    default: return v;
  }
}

/** The output value of one accumulated product; bias is null when the op has none. */
MNF_HOST_DEVICE inline float MatMulEpilogue(float acc, const float* bias, int64_t column, int activation, float alpha, bool bf16) {
  float v = acc;
  if (bias != nullptr) v += bf16 ? RoundToBf16(bias[column]) : bias[column];
  if (bf16) v = RoundToBf16(v);
  v = Activate(v, activation, alpha);
  return bf16 ? RoundToBf16(v) : v;
}

}  // namespace mnf::device
