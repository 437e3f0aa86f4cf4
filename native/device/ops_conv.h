// Convolution device ops (2-D NHWC/HWIO and 3-D NDHWC/DHWIO float32, as tfjs stores them) over
// device addresses; on the emulated device they run native/kernels/conv.cc's oneDNN code.
#pragma once
#include "device/device.h"
#include "kernels/conv.h"

namespace mnf::device {

// The problem must have passed kernels::CheckConv; each pointer holds its shape's float32 values.
void ConvForward(Device& d, const kernels::ConvProblem& p, const float* x, const float* w, float* y);
void ConvBackpropInput(Device& d, const kernels::ConvProblem& p, const float* dy, const float* w, float* dx);
void ConvBackpropFilter(Device& d, const kernels::ConvProblem& p, const float* x, const float* dy, float* dw);

}  // namespace mnf::device
