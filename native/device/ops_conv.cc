#include "device/ops_conv.h"

#include "device/ops_host.h"

namespace mnf::device {

void ConvForward(Device& d, const kernels::ConvProblem& p, const float* x, const float* w, float* y) {
  RequireHostMemory(d, "deviceConv");
  kernels::RunConv(kernels::ConvKind::Forward, p, x, w, y);
}

void ConvBackpropInput(Device& d, const kernels::ConvProblem& p, const float* dy, const float* w, float* dx) {
  RequireHostMemory(d, "deviceConvBackpropInput");
  kernels::RunConv(kernels::ConvKind::BackwardInput, p, dy, w, dx);
}

void ConvBackpropFilter(Device& d, const kernels::ConvProblem& p, const float* x, const float* dy, float* dw) {
  RequireHostMemory(d, "deviceConvBackpropFilter");
  kernels::RunConv(kernels::ConvKind::BackwardFilter, p, x, dy, dw);
}

}  // namespace mnf::device
