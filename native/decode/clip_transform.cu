#include <cuda_runtime.h>

#include <memory>

#include "decode/clip_transform_cuda.h"

namespace mnf::decode {

namespace {

struct DeviceFree {
  void operator()(void* p) const { cudaFree(p); }
};
template <typename T>
using DeviceBuffer = std::unique_ptr<T, DeviceFree>;

template <typename T>
DeviceBuffer<T> Allocate(size_t count, cudaError_t& status) {
  void* p = nullptr;
  status = cudaMalloc(&p, count * sizeof(T) + 1);
  return DeviceBuffer<T>(static_cast<T*>(p));
}

// One thread per (row r of the touched rows, output column i): horizontal taps over uint8 RGB.
__global__ void HorizontalPass(const uint8_t* rgb, int width, int row_lo, int rows, const int* first, const float* weights,
                               int taps, int size, float* horizontal) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  int r = blockIdx.y;
  if (i >= size || r >= rows) return;
  const uint8_t* src = rgb + static_cast<size_t>(r + row_lo) * width * 3;
  const float* k = weights + static_cast<size_t>(i) * taps;
  int x0 = first[i];
  int n = min(taps, width - x0);
  float c0 = 0.f, c1 = 0.f, c2 = 0.f;
  for (int t = 0; t < n; ++t) {
    const uint8_t* p = src + static_cast<size_t>(x0 + t) * 3;
    c0 = __fadd_rn(c0, __fmul_rn(k[t], static_cast<float>(p[0])));
    c1 = __fadd_rn(c1, __fmul_rn(k[t], static_cast<float>(p[1])));
    c2 = __fadd_rn(c2, __fmul_rn(k[t], static_cast<float>(p[2])));
  }
  float* dst = horizontal + (static_cast<size_t>(r) * size + i) * 3;
  dst[0] = c0;
  dst[1] = c1;
  dst[2] = c2;
}

struct Affine {
  float scale[3];
  float shift[3];
};

// One thread per output pixel (row j, column i): vertical taps, normalise, optional mirror.
__global__ void VerticalPass(const float* horizontal, int row_lo, int rows, const int* first, const float* weights, int taps,
                             int size, bool flip, Affine affine, float* out) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  int j = blockIdx.y;
  if (i >= size || j >= size) return;
  const float* k = weights + static_cast<size_t>(j) * taps;
  int y0 = first[j] - row_lo;
  int n = min(taps, rows - y0);
  float c0 = 0.f, c1 = 0.f, c2 = 0.f;
  for (int t = 0; t < n; ++t) {
    const float* p = horizontal + (static_cast<size_t>(y0 + t) * size + i) * 3;
    c0 = __fadd_rn(c0, __fmul_rn(k[t], p[0]));
    c1 = __fadd_rn(c1, __fmul_rn(k[t], p[1]));
    c2 = __fadd_rn(c2, __fmul_rn(k[t], p[2]));
  }
  float* dst = out + (static_cast<size_t>(j) * size + (flip ? size - 1 - i : i)) * 3;
  dst[0] = __fadd_rn(__fmul_rn(c0, affine.scale[0]), affine.shift[0]);
  dst[1] = __fadd_rn(__fmul_rn(c1, affine.scale[1]), affine.shift[1]);
  dst[2] = __fadd_rn(__fmul_rn(c2, affine.scale[2]), affine.shift[2]);
}

#define MNF_CUDA_CHECK(call)                                              \
  do {                                                                    \
    cudaError_t status_ = (call);                                         \
    if (status_ != cudaSuccess) {                                         \
      error = std::string("CUDA decode transform: ") + cudaGetErrorString(status_); \
      return false;                                                       \
    }                                                                     \
  } while (0)

}  // namespace

bool CropResizeNormaliseCuda(const std::vector<FrameJob>& jobs, int size, const Normalise& norm, std::string& error) {
  Affine affine;
  for (int c = 0; c < 3; ++c) {
    affine.scale[c] = 1.0f / (255.0f * norm.std[c]);
    affine.shift[c] = -norm.mean[c] / norm.std[c];
  }
  cudaError_t status = cudaSuccess;
  const size_t out_floats = static_cast<size_t>(size) * size * 3;
  auto out = Allocate<float>(out_floats, status);
  MNF_CUDA_CHECK(status);
  for (const FrameJob& job : jobs) {
    const AxisWeights wx = BilinearWeights(job.width, job.box.x, job.box.width, size);
    const AxisWeights wy = BilinearWeights(job.height, job.box.y, job.box.height, size);
    const int row_lo = wy.first.front();
    int row_hi = row_lo;
    for (int i = 0; i < size; ++i) row_hi = max(row_hi, min(wy.first[i] + wy.taps, job.height));
    const int rows = row_hi - row_lo;
    const size_t image_bytes = static_cast<size_t>(job.width) * job.height * 3;
    auto rgb = Allocate<uint8_t>(image_bytes, status);
    MNF_CUDA_CHECK(status);
    auto horizontal = Allocate<float>(static_cast<size_t>(rows) * size * 3, status);
    MNF_CUDA_CHECK(status);
    auto first_x = Allocate<int>(wx.first.size(), status);
    MNF_CUDA_CHECK(status);
    auto first_y = Allocate<int>(wy.first.size(), status);
    MNF_CUDA_CHECK(status);
    auto weights_x = Allocate<float>(wx.weights.size(), status);
    MNF_CUDA_CHECK(status);
    auto weights_y = Allocate<float>(wy.weights.size(), status);
    MNF_CUDA_CHECK(status);
    MNF_CUDA_CHECK(cudaMemcpy(rgb.get(), job.rgb, image_bytes, cudaMemcpyHostToDevice));
    MNF_CUDA_CHECK(cudaMemcpy(first_x.get(), wx.first.data(), wx.first.size() * sizeof(int), cudaMemcpyHostToDevice));
    MNF_CUDA_CHECK(cudaMemcpy(first_y.get(), wy.first.data(), wy.first.size() * sizeof(int), cudaMemcpyHostToDevice));
    MNF_CUDA_CHECK(cudaMemcpy(weights_x.get(), wx.weights.data(), wx.weights.size() * sizeof(float), cudaMemcpyHostToDevice));
    MNF_CUDA_CHECK(cudaMemcpy(weights_y.get(), wy.weights.data(), wy.weights.size() * sizeof(float), cudaMemcpyHostToDevice));
    const int threads = 128;
    dim3 grid_h((size + threads - 1) / threads, rows);
    HorizontalPass<<<grid_h, threads>>>(rgb.get(), job.width, row_lo, rows, first_x.get(), weights_x.get(), wx.taps, size,
                                        horizontal.get());
    MNF_CUDA_CHECK(cudaGetLastError());
    dim3 grid_v((size + threads - 1) / threads, size);
    VerticalPass<<<grid_v, threads>>>(horizontal.get(), row_lo, rows, first_y.get(), weights_y.get(), wy.taps, size, job.flip,
                                      affine, out.get());
    MNF_CUDA_CHECK(cudaGetLastError());
    MNF_CUDA_CHECK(cudaMemcpy(job.out, out.get(), out_floats * sizeof(float), cudaMemcpyDeviceToHost));
  }
  return true;
}

}  // namespace mnf::decode
