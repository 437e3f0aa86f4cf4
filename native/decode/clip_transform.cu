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

// One thread per (output row j, element e of a crop row): vertical taps over uint8 RGB.
__global__ void VerticalPass(const uint8_t* crop, int stride, int row_floats, const int* first, const int* count,
                             const float* weights, int taps, int size, float* vertical) {
  int e = blockIdx.x * blockDim.x + threadIdx.x;
  int j = blockIdx.y;
  if (e >= row_floats || j >= size) return;
  const float* k = weights + static_cast<size_t>(j) * taps;
  float acc = 0.f;
  for (int t = 0; t < count[j]; ++t) {
    const uint8_t* src = crop + static_cast<size_t>(first[j] + t) * stride * 3;
    acc = __fadd_rn(acc, __fmul_rn(k[t], static_cast<float>(src[e])));
  }
  vertical[static_cast<size_t>(j) * row_floats + e] = acc;
}

struct Affine {
  float scale[3];
  float shift[3];
};

// One thread per output pixel (row j, column i): horizontal taps, normalise, optional mirror.
__global__ void HorizontalPass(const float* vertical, int row_floats, const int* first, const int* count, const float* weights,
                               int taps, int size, bool flip, Affine affine, float* out) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  int j = blockIdx.y;
  if (i >= size || j >= size) return;
  const float* k = weights + static_cast<size_t>(i) * taps;
  const float* p = vertical + static_cast<size_t>(j) * row_floats + static_cast<size_t>(first[i]) * 3;
  float c0 = 0.f, c1 = 0.f, c2 = 0.f;
  for (int t = 0; t < count[i]; ++t) {
    c0 = __fadd_rn(c0, __fmul_rn(k[t], p[t * 3 + 0]));
    c1 = __fadd_rn(c1, __fmul_rn(k[t], p[t * 3 + 1]));
    c2 = __fadd_rn(c2, __fmul_rn(k[t], p[t * 3 + 2]));
  }
  float* dst = out + (static_cast<size_t>(j) * size + (flip ? size - 1 - i : i)) * 3;
  dst[0] = __fadd_rn(__fmul_rn(c0, affine.scale[0]), affine.shift[0]);
  dst[1] = __fadd_rn(__fmul_rn(c1, affine.scale[1]), affine.shift[1]);
  dst[2] = __fadd_rn(__fmul_rn(c2, affine.scale[2]), affine.shift[2]);
}

#define MNF_CUDA_CHECK(call)                                                        \
  do {                                                                              \
    cudaError_t status_ = (call);                                                   \
    if (status_ != cudaSuccess) {                                                   \
      error = std::string("CUDA decode transform: ") + cudaGetErrorString(status_); \
      return false;                                                                 \
    }                                                                               \
  } while (0)

template <typename T>
bool Upload(const std::vector<T>& host, DeviceBuffer<T>& device, std::string& error) {
  cudaError_t status = cudaSuccess;
  device = Allocate<T>(host.size(), status);
  MNF_CUDA_CHECK(status);
  MNF_CUDA_CHECK(cudaMemcpy(device.get(), host.data(), host.size() * sizeof(T), cudaMemcpyHostToDevice));
  return true;
}

}  // namespace

bool CropResizeNormaliseCuda(const std::vector<FrameJob>& jobs, const Normalise& norm, std::string& error) {
  Affine affine;
  for (int c = 0; c < 3; ++c) {
    affine.scale[c] = 1.0f / (255.0f * norm.std[c]);
    affine.shift[c] = -norm.mean[c] / norm.std[c];
  }
  cudaError_t status = cudaSuccess;
  for (const FrameJob& job : jobs) {
    const ResizePlan& plan = *job.plan;
    const int size = plan.size;
    const int row_floats = plan.box.width * 3;
    const size_t out_floats = static_cast<size_t>(size) * size * 3;
    // the crop's rows and columns, copied out of the decoded region
    std::vector<uint8_t> crop(static_cast<size_t>(plan.box.height) * row_floats);
    for (int r = 0; r < plan.box.height; ++r) {
      const uint8_t* src = job.rgb + (static_cast<size_t>(plan.box.y - job.origin_y + r) * job.width + (plan.box.x - job.origin_x)) * 3;
      std::copy(src, src + row_floats, crop.begin() + static_cast<size_t>(r) * row_floats);
    }
    DeviceBuffer<uint8_t> crop_d;
    DeviceBuffer<int> first_x, first_y, count_x, count_y;
    DeviceBuffer<float> weights_x, weights_y;
    if (!Upload(crop, crop_d, error) || !Upload(plan.x.first, first_x, error) || !Upload(plan.y.first, first_y, error) ||
        !Upload(plan.x.count, count_x, error) || !Upload(plan.y.count, count_y, error) ||
        !Upload(plan.x.weights, weights_x, error) || !Upload(plan.y.weights, weights_y, error)) {
      return false;
    }
    auto vertical = Allocate<float>(static_cast<size_t>(size) * row_floats, status);
    MNF_CUDA_CHECK(status);
    auto out = Allocate<float>(out_floats, status);
    MNF_CUDA_CHECK(status);
    const int threads = 128;
    dim3 grid_v((row_floats + threads - 1) / threads, size);
    VerticalPass<<<grid_v, threads>>>(crop_d.get(), plan.box.width, row_floats, first_y.get(), count_y.get(), weights_y.get(),
                                      plan.y.taps, size, vertical.get());
    MNF_CUDA_CHECK(cudaGetLastError());
    dim3 grid_h((size + threads - 1) / threads, size);
    HorizontalPass<<<grid_h, threads>>>(vertical.get(), row_floats, first_x.get(), count_x.get(), weights_x.get(), plan.x.taps,
                                        size, job.flip, affine, out.get());
    MNF_CUDA_CHECK(cudaGetLastError());
    MNF_CUDA_CHECK(cudaMemcpy(job.out, out.get(), out_floats * sizeof(float), cudaMemcpyDeviceToHost));
  }
  return true;
}

}  // namespace mnf::decode
