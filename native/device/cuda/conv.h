// The CUDA convolutions (conv.cu): cuDNN when it was loaded and takes the problem (symmetric,
// non-negative pads), else our implicit-GEMM kernels. Plain C++: no CUDA types.
#pragma once
#include <cstdint>

#include "device/math_mode.h"

namespace mnf::device {
class CudaDevice;
}

namespace mnf::device::cuda {

enum class ConvDirection { kForward, kBackwardData, kBackwardFilter };

// A channels-last convolution of `spatial` (2 or 3) dims: x (n, x[0..spatial), cin),
// w (w[0..spatial), cin, cout) — tfjs's HWIO / DHWIO — and y (n, y[0..spatial), cout). A negative
// pad drops that many input rows (tfjs's 3-D 'same' padding with a stride above the kernel).
struct ConvDims {
  int spatial = 0;
  int64_t n = 0, cin = 0, cout = 0;
  int64_t x[3] = {1, 1, 1}, w[3] = {1, 1, 1}, y[3] = {1, 1, 1};
  int64_t stride[3] = {1, 1, 1}, dilation[3] = {1, 1, 1}, padBefore[3] = {0, 0, 0}, padAfter[3] = {0, 0, 0};
};

/** Runs on gpu.stream(), no host synchronisation. in0, in1, out are device pointers to (x, w, y)
 *  forward, (dy, w, dx) backward-data, (x, dy, dw) backward-filter; the shapes passed kernels::CheckConv.
 *  MNF_CUDA_KERNELS=own skips cuDNN. */
void Conv(CudaDevice& gpu, ConvDirection direction, const ConvDims& dims, const MathMode& math, const float* in0, const float* in1,
          float* out);

}  // namespace mnf::device::cuda
