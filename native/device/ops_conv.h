// Convolution device ops (2-D NHWC/HWIO and 3-D NDHWC/DHWIO float32, as tfjs stores them) over
// device addresses, in the math mode of device/math_mode.h: on the CUDA device cuDNN or our kernels
// (cuda/conv.h); on the emulated device native/kernels/conv.cc's oneDNN code, with bf16 emulated
// (operands rounded to bf16, fp32 computation, output rounded to bf16; TF32 has no effect there).
#pragma once
#include "device/device.h"
#include "device/math_mode.h"
#include "kernels/conv.h"

namespace mnf::device {

// The problem must have passed kernels::CheckConv; each pointer holds its shape's float32 values.
void ConvForward(Device& d, const kernels::ConvProblem& p, const MathMode& math, const float* x, const float* w, float* y);
void ConvBackpropInput(Device& d, const kernels::ConvProblem& p, const MathMode& math, const float* dy, const float* w, float* dx);
void ConvBackpropFilter(Device& d, const kernels::ConvProblem& p, const MathMode& math, const float* x, const float* dy, float* dw);

}  // namespace mnf::device
