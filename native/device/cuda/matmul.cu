// The CUDA batched matrix product: cublasGemmStridedBatchedEx where libcublas was loaded (a row-major
// product is cuBLAS's column-major one with the operands swapped; TF32 through the math mode and
// compute type; bf16 operands copied to bf16, fp32 accumulation and output), then bias and activation
// in one epilogue launch; else our tiled GEMM with the epilogue fused into its store.
#include "device/cuda/matmul.h"

#include <cuda_bf16.h>

#include <algorithm>
#include <climits>
#include <map>
#include <mutex>

#include "device/cuda/convert.cuh"
#include "device/cuda/cublas_api.h"
#include "device/cuda/cuda_device.cuh"
#include "device/cuda/tiled_gemm.cuh"
#include "device/matmul_epilogue.h"

namespace mnf::device::cuda {
namespace {

// ---- our kernel -----------------------------------------------------------------------------

// element (z, r, c) of a strided batch of matrices
struct Matrix {
  const float* p;
  int64_t batchStride, rowStride, colStride;
  bool bf16;
  __device__ float operator()(int64_t z, int64_t r, int64_t c) const {
    const float v = p[z * batchStride + r * rowStride + c * colStride];
    return bf16 ? RoundToBf16(v) : v;
  }
};

struct StoreEpilogue {
  float* out;
  int64_t m, n;
  const float* bias;
  int activation;
  float alpha;
  bool bf16;
  __device__ void operator()(int64_t z, int64_t r, int64_t c, float acc) const {
    out[(z * m + r) * n + c] = MatMulEpilogue(acc, bias, c, activation, alpha, bf16);
  }
};

void OwnMatMul(CudaDevice& gpu, const GemmDims& d, bool bf16, const float* a, const float* b, const float* bias, float* out) {
  const int64_t batch = std::max(d.batchA, d.batchB);
  const Matrix left{a, d.batchA == 1 ? 0 : d.m * d.k, d.transposeA ? 1 : d.k, d.transposeA ? d.m : 1, bf16};
  const Matrix right{b, d.batchB == 1 ? 0 : d.k * d.n, d.transposeB ? 1 : d.n, d.transposeB ? d.k : 1, bf16};
  LaunchTiledGemm(gpu.stream(), d.m, d.n, d.k, batch, left, right, StoreEpilogue{out, d.m, d.n, bias, d.activation, d.alpha, bf16},
                  "matMul (tiled GEMM)");
}

// ---- cuBLAS ---------------------------------------------------------------------------------

__global__ void EpilogueKernel(float* out, int64_t size, int64_t n, const float* bias, int activation, float alpha, bool bf16) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < size; i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    out[i] = MatMulEpilogue(out[i], bias, i % n, activation, alpha, bf16);
  }
}

// One cuBLAS handle per CUDA device and the stream last given to it, for the process lifetime (never
// destroyed: the CUDA runtime may already be torn down when static destructors run).
struct CublasHandle {
  cublas::Handle handle = nullptr;
  cudaStream_t stream = nullptr;
};

cublas::Handle HandleFor(const cublas::Api& api, CudaDevice& gpu) {
  static std::mutex mutex;
  static std::map<int, CublasHandle> handles;
  std::lock_guard<std::mutex> lock(mutex);
  CublasHandle& h = handles[gpu.index()];
  if (h.handle == nullptr) {
    CheckCuda(cudaSetDevice(gpu.index()), "cudaSetDevice");
    cublas::Check(api, api.create(&h.handle), "cublasCreate");
  }
  if (h.stream != gpu.stream()) {
    cublas::Check(api, api.setStream(h.handle, gpu.stream()), "cublasSetStream");
    h.stream = gpu.stream();
  }
  return h.handle;
}

bool CublasTakes(const GemmDims& d) {
  const int64_t batch = std::max(d.batchA, d.batchB);
  return d.k > 0 && d.m < INT_MAX && d.n < INT_MAX && d.k < INT_MAX && batch < INT_MAX;
}

// Scratch slots 0 and 1: the bf16 copies of a and b.
void CublasMatMul(const cublas::Api& api, CudaDevice& gpu, const GemmDims& d, const MathMode& math, const float* a, const float* b,
                  const float* bias, float* out) {
  cublas::Handle h = HandleFor(api, gpu);
  cudaStream_t stream = gpu.stream();
  const int64_t batch = std::max(d.batchA, d.batchB);
  const void* left = a;
  const void* right = b;
  int dataType = cublas::kR32F;
  int compute = math.tf32 ? cublas::kCompute32FFastTf32 : cublas::kCompute32F;
  if (math.bf16()) {
    auto* a16 = static_cast<__nv_bfloat16*>(gpu.Scratch(0, static_cast<size_t>(d.batchA * d.m * d.k) * sizeof(__nv_bfloat16)));
    auto* b16 = static_cast<__nv_bfloat16*>(gpu.Scratch(1, static_cast<size_t>(d.batchB * d.k * d.n) * sizeof(__nv_bfloat16)));
    Convert(stream, a, a16, d.batchA * d.m * d.k);
    Convert(stream, b, b16, d.batchB * d.k * d.n);
    left = a16;
    right = b16;
    dataType = cublas::kR16BF;
    compute = cublas::kCompute32F;
  }
  cublas::Check(api, api.setMathMode(h, !math.bf16() && math.tf32 ? cublas::kTf32TensorOpMath : cublas::kDefaultMath), "cublasSetMathMode");
  // out (m, n) row-major is (n, m) column-major = op(b) (n, k) · op(a) (k, m), both column-major views
  const int m = static_cast<int>(d.m), n = static_cast<int>(d.n), k = static_cast<int>(d.k);
  const float one = 1.f, zero = 0.f;
  cublas::Check(api,
                api.gemmStridedBatchedEx(h, d.transposeB ? cublas::kOpT : cublas::kOpN, d.transposeA ? cublas::kOpT : cublas::kOpN, n, m, k, &one,
                                         right, dataType, d.transposeB ? k : n, d.batchB == 1 ? 0 : d.k * d.n, left, dataType,
                                         d.transposeA ? m : k, d.batchA == 1 ? 0 : d.m * d.k, &zero, out, cublas::kR32F, n, d.m * d.n,
                                         static_cast<int>(batch), compute, cublas::kGemmDefault),
                "cublasGemmStridedBatchedEx");
  if (bias != nullptr || d.activation != kActLinear || math.bf16()) {
    const int64_t size = batch * d.m * d.n;
    EpilogueKernel<<<GridFor(size), 256, 0, stream>>>(out, size, d.n, bias, d.activation, d.alpha, math.bf16());
    CheckLaunch("matMul epilogue (bias, activation, bf16 rounding)");
  }
}

}  // namespace

void MatMul(CudaDevice& gpu, const GemmDims& dims, const MathMode& math, const float* a, const float* b, const float* bias, float* out) {
  gpu.MakeCurrent();
  if (std::max(dims.batchA, dims.batchB) * dims.m * dims.n == 0) return;
  const cublas::Api* api = OwnKernelsOnly() ? nullptr : cublas::Load();
  if (api != nullptr && CublasTakes(dims)) {
    CublasMatMul(*api, gpu, dims, math, a, b, bias, out);
    return;
  }
  OwnMatMul(gpu, dims, math.bf16(), a, b, bias, out);
}

}  // namespace mnf::device::cuda
