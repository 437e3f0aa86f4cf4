#include "device/ops_conv.h"

#include <cstdint>
#include <vector>

#include "common/napi_args.h"
#include "device/cuda_device.h"
#include "device/ops_host.h"
#ifdef MNF_WITH_CUDA
#include "device/cuda/conv.h"
#endif

namespace mnf::device {
namespace {

std::vector<float> RoundedToBf16(const float* v, int64_t n) {
  std::vector<float> r(v, v + n);
  for (float& x : r) x = RoundToBf16(x);
  return r;
}

// in0, in1, out as kernels::RunConv takes them; bf16 emulated around the fp32 oneDNN code.
void RunEmulated(kernels::ConvKind kind, const kernels::ConvProblem& p, const MathMode& math, const float* in0, const float* in1,
                 float* out, const Shape& in0Shape, const Shape& in1Shape, const Shape& outShape) {
  if (!math.bf16()) {
    kernels::RunConv(kind, p, in0, in1, out);
    return;
  }
  const std::vector<float> a = RoundedToBf16(in0, ShapeSize(in0Shape));
  const std::vector<float> b = RoundedToBf16(in1, ShapeSize(in1Shape));
  kernels::RunConv(kind, p, a.data(), b.data(), out);
  const int64_t n = ShapeSize(outShape);
  for (int64_t i = 0; i < n; ++i) out[i] = RoundToBf16(out[i]);
}

#ifdef MNF_WITH_CUDA
cuda::ConvDims ToDims(const kernels::ConvProblem& p) {
  cuda::ConvDims d;
  d.spatial = static_cast<int>(p.x.size()) - 2;
  d.n = p.x[0];
  d.cin = p.x.back();
  d.cout = p.y.back();
  for (int i = 0; i < d.spatial; ++i) {
    d.x[i] = p.x[i + 1];
    d.w[i] = p.w[i];
    d.y[i] = p.y[i + 1];
    d.stride[i] = p.strides[i];
    d.dilation[i] = p.dilations[i];
    d.padBefore[i] = p.padBefore[i];
    d.padAfter[i] = p.padAfter[i];
  }
  return d;
}
#endif

void Run(Device& d, kernels::ConvKind kind, const kernels::ConvProblem& p, const MathMode& math, const float* in0, const float* in1,
         float* out, const char* op, const Shape& in0Shape, const Shape& in1Shape, const Shape& outShape) {
#ifdef MNF_WITH_CUDA
  if (CudaDevice* gpu = AsCudaDevice(d)) {
    static constexpr cuda::ConvDirection kDirection[] = {cuda::ConvDirection::kForward, cuda::ConvDirection::kBackwardData,
                                                         cuda::ConvDirection::kBackwardFilter};
    cuda::Conv(*gpu, kDirection[static_cast<int>(kind)], ToDims(p), math, in0, in1, out);
    return;
  }
#endif
  RequireHostMemory(d, op);
  RunEmulated(kind, p, math, in0, in1, out, in0Shape, in1Shape, outShape);
}

}  // namespace

void ConvForward(Device& d, const kernels::ConvProblem& p, const MathMode& math, const float* x, const float* w, float* y) {
  Run(d, kernels::ConvKind::Forward, p, math, x, w, y, "deviceConv", p.x, p.w, p.y);
}

void ConvBackpropInput(Device& d, const kernels::ConvProblem& p, const MathMode& math, const float* dy, const float* w, float* dx) {
  Run(d, kernels::ConvKind::BackwardInput, p, math, dy, w, dx, "deviceConvBackpropInput", p.y, p.w, p.x);
}

void ConvBackpropFilter(Device& d, const kernels::ConvProblem& p, const MathMode& math, const float* x, const float* dy, float* dw) {
  Run(d, kernels::ConvKind::BackwardFilter, p, math, x, dy, dw, "deviceConvBackpropFilter", p.x, p.y, p.w);
}

}  // namespace mnf::device
