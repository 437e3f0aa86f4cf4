// Element conversions around the cuDNN / cuBLAS calls: float32 ↔ bfloat16 copies (round to nearest
// even, the rule of device/math_mode.h) and the filter's layout change between tfjs's (spatial…, I, O)
// and the (O, spatial…, I) that cuDNN's NHWC filters use.
#pragma once
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cstdint>

#include "device/cuda/cuda_device.cuh"

namespace mnf::device::cuda {

__device__ inline float ToFloat(float v) { return v; }
__device__ inline float ToFloat(__nv_bfloat16 v) { return __bfloat162float(v); }

template <class T>
__device__ inline T FromFloat(float v);
template <>
__device__ inline float FromFloat<float>(float v) { return v; }
template <>
__device__ inline __nv_bfloat16 FromFloat<__nv_bfloat16>(float v) { return __float2bfloat16_rn(v); }

template <class From, class To>
__global__ void ConvertKernel(const From* in, To* out, int64_t n) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n; i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    out[i] = FromFloat<To>(ToFloat(in[i]));
  }
}

template <class From, class To>
void Convert(cudaStream_t stream, const From* in, To* out, int64_t n) {
  if (n == 0) return;
  ConvertKernel<<<GridFor(n), 256, 0, stream>>>(in, out, n);
  CheckLaunch("convert");
}

// (p, ci, co) → (co, p, ci) over `positions` filter positions; iterates over the output (coalesced writes).
template <class To>
__global__ void FilterToOutputMajorKernel(const float* in, To* out, int64_t positions, int64_t cin, int64_t cout) {
  const int64_t n = positions * cin * cout;
  for (int64_t o = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; o < n; o += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t ci = o % cin, p = (o / cin) % positions, co = o / (cin * positions);
    out[o] = FromFloat<To>(in[(p * cin + ci) * cout + co]);
  }
}

// (co, p, ci) → (p, ci, co), the inverse, into float32.
template <class From>
__global__ void FilterFromOutputMajorKernel(const From* in, float* out, int64_t positions, int64_t cin, int64_t cout) {
  const int64_t n = positions * cin * cout;
  for (int64_t o = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; o < n; o += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t co = o % cout, ci = (o / cout) % cin, p = o / (cout * cin);
    out[o] = ToFloat(in[(co * positions + p) * cin + ci]);
  }
}

template <class To>
void FilterToOutputMajor(cudaStream_t stream, const float* in, To* out, int64_t positions, int64_t cin, int64_t cout) {
  FilterToOutputMajorKernel<<<GridFor(positions * cin * cout), 256, 0, stream>>>(in, out, positions, cin, cout);
  CheckLaunch("filter layout (spatial, I, O) -> (O, spatial, I)");
}

template <class From>
void FilterFromOutputMajor(cudaStream_t stream, const From* in, float* out, int64_t positions, int64_t cin, int64_t cout) {
  FilterFromOutputMajorKernel<<<GridFor(positions * cin * cout), 256, 0, stream>>>(in, out, positions, cin, cout);
  CheckLaunch("filter layout (O, spatial, I) -> (spatial, I, O)");
}

}  // namespace mnf::device::cuda
