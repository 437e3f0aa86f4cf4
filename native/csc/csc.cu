// CUDA twin of csc_cpu.cc (same formulas, see csc.h): normalise → two similarity GEMMs → one row kernel
// (τ, stable softmax, masked loss, dS) → two gradient GEMMs → normalisation backward → loss sum.
#include <cuda_runtime.h>

#include <cstdint>
#include <mutex>
#include <stdexcept>
#include <string>

#include "csc/csc.h"

namespace mnf::csc {
namespace {

void Check(cudaError_t status, const char* what) {
  if (status != cudaSuccess) {
    cudaGetLastError();
    throw std::runtime_error(std::string(what) + " failed: " + cudaGetErrorString(status));
  }
}

// A device allocation that only grows; freed with its owner.
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  ~DeviceBuffer() {
    if (ptr_) cudaFree(ptr_);
  }
  void* Reserve(size_t bytes) {
    if (bytes > bytes_) {
      if (ptr_) cudaFree(ptr_);
      ptr_ = nullptr;
      bytes_ = 0;
      Check(cudaMalloc(&ptr_, bytes), "cudaMalloc");
      bytes_ = bytes;
    }
    return ptr_;
  }

 private:
  void* ptr_ = nullptr;
  size_t bytes_ = 0;
};

class Stream {
 public:
  Stream() { Check(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "cudaStreamCreate"); }
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  ~Stream() { cudaStreamDestroy(stream_); }
  cudaStream_t get() const { return stream_; }

 private:
  cudaStream_t stream_{};
};

constexpr int kThreads = 256;

__device__ float WarpSum(float x) {
  for (int offset = 16; offset > 0; offset >>= 1) x += __shfl_xor_sync(0xffffffffu, x, offset);
  return x;
}
__device__ float WarpMax(float x) {
  for (int offset = 16; offset > 0; offset >>= 1) x = fmaxf(x, __shfl_xor_sync(0xffffffffu, x, offset));
  return x;
}

// Sum (or max) over the block; every thread gets the result. `scratch` holds 32 floats.
template <bool kMax>
__device__ float BlockReduce(float x, float* scratch) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  x = kMax ? WarpMax(x) : WarpSum(x);
  __syncthreads();
  if (lane == 0) scratch[warp] = x;
  __syncthreads();
  const int warps = (blockDim.x + 31) >> 5;
  float y = lane < warps ? scratch[lane] : (kMax ? -INFINITY : 0.f);
  return kMax ? WarpMax(y) : WarpSum(y);
}

// grid (rows, matrices): matrix blockIdx.y of `x` (each rows×dim) → unit rows, 1/max(‖x‖, eps), ‖x‖ > eps.
__global__ void NormalizeRowsKernel(const float* x, float* unit, float* invNorm, float* above, int rows, int dim) {
  __shared__ float scratch[32];
  const int64_t row = int64_t(blockIdx.y) * rows + blockIdx.x;
  const float* in = x + row * dim;
  float squares = 0.f;
  for (int d = threadIdx.x; d < dim; d += blockDim.x) squares += in[d] * in[d];
  const float norm = sqrtf(BlockReduce<false>(squares, scratch));
  const float inv = 1.f / fmaxf(norm, kNormEps);
  float* out = unit + row * dim;
  for (int d = threadIdx.x; d < dim; d += blockDim.x) out[d] = in[d] * inv;
  if (threadIdx.x == 0) {
    invNorm[row] = inv;
    above[row] = norm > kNormEps ? 1.f : 0.f;
  }
}

// Row-major C(M×N) = op(A)(M×K) · op(B)(K×N); op transposes when kTransA/kTransB.
// 128×128 tile per block of 256 threads, 8×8 outputs per thread (two 4-wide strips in each direction).
constexpr int kTile = 128, kDepth = 8;

template <bool kTransA, bool kTransB>
__global__ void __launch_bounds__(256) GemmKernel(int M, int N, int K, const float* __restrict__ A, int lda,
                                                  const float* __restrict__ B, int ldb, float* __restrict__ C,
                                                  int ldc) {
  __shared__ __align__(16) float As[kDepth][kTile];
  __shared__ __align__(16) float Bs[kDepth][kTile];
  const int tid = threadIdx.x, tx = tid % 16, ty = tid / 16;
  const int m0 = blockIdx.y * kTile, n0 = blockIdx.x * kTile;
  float acc[8][8] = {};
  for (int k0 = 0; k0 < K; k0 += kDepth) {
#pragma unroll
    for (int e = 0; e < 4; ++e) {
      const int idx = tid + e * 256;
      int m, k;
      if (kTransA) {
        m = idx % kTile, k = idx / kTile;
      } else {
        k = idx % kDepth, m = idx / kDepth;
      }
      const int gm = m0 + m, gk = k0 + k;
      As[k][m] = (gm < M && gk < K) ? (kTransA ? A[int64_t(gk) * lda + gm] : A[int64_t(gm) * lda + gk]) : 0.f;
      int n;
      if (kTransB) {
        k = idx % kDepth, n = idx / kDepth;
      } else {
        n = idx % kTile, k = idx / kTile;
      }
      const int gn = n0 + n;
      const int gk2 = k0 + k;
      Bs[k][n] = (gn < N && gk2 < K) ? (kTransB ? B[int64_t(gn) * ldb + gk2] : B[int64_t(gk2) * ldb + gn]) : 0.f;
    }
    __syncthreads();
#pragma unroll
    for (int k = 0; k < kDepth; ++k) {
      float a[8], b[8];
      const float4 a0 = *reinterpret_cast<const float4*>(&As[k][ty * 4]);
      const float4 a1 = *reinterpret_cast<const float4*>(&As[k][64 + ty * 4]);
      const float4 b0 = *reinterpret_cast<const float4*>(&Bs[k][tx * 4]);
      const float4 b1 = *reinterpret_cast<const float4*>(&Bs[k][64 + tx * 4]);
      a[0] = a0.x, a[1] = a0.y, a[2] = a0.z, a[3] = a0.w, a[4] = a1.x, a[5] = a1.y, a[6] = a1.z, a[7] = a1.w;
      b[0] = b0.x, b[1] = b0.y, b[2] = b0.z, b[3] = b0.w, b[4] = b1.x, b[5] = b1.y, b[6] = b1.z, b[7] = b1.w;
#pragma unroll
      for (int i = 0; i < 8; ++i)
#pragma unroll
        for (int j = 0; j < 8; ++j) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
    }
    __syncthreads();
  }
#pragma unroll
  for (int i = 0; i < 8; ++i) {
    const int gm = m0 + (i < 4 ? ty * 4 + i : 64 + ty * 4 + i - 4);
    if (gm >= M) continue;
#pragma unroll
    for (int j = 0; j < 8; ++j) {
      const int gn = n0 + (j < 4 ? tx * 4 + j : 64 + tx * 4 + j - 4);
      if (gn < N) C[int64_t(gm) * ldc + gn] = acc[i][j];
    }
  }
}

template <bool kTransA, bool kTransB>
void Gemm(int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C, int ldc,
          cudaStream_t stream) {
  const dim3 grid((N + kTile - 1) / kTile, (M + kTile - 1) / kTile);
  GemmKernel<kTransA, kTransB><<<grid, 256, 0, stream>>>(M, N, K, A, lda, B, ldb, C, ldc);
}

// One block per row i: scores row S_i· → dS_i· in place (see csc.h), rowLoss[i] = −Σ_j M_ij log(P_ij + eps) / m_i.
__global__ void RowKernel(float* scores, const float* cosines, const int32_t* labels, int batch, float theta,
                          float* rowLoss) {
  __shared__ float scratch[32];
  const int i = blockIdx.x;
  float* row = scores + int64_t(i) * batch;
  const float* cosRow = cosines ? cosines + int64_t(i) * batch : nullptr;
  const int32_t label = labels[i];

  float localMax = -INFINITY;
  for (int j = threadIdx.x; j < batch; j += blockDim.x) {
    const float tau = cosRow ? cosRow[j] + theta : theta;
    const float logit = row[j] / tau;
    row[j] = logit;
    localMax = fmaxf(localMax, logit);
  }
  const float rowMax = BlockReduce<true>(localMax, scratch);
  float localSum = 0.f;
  for (int j = threadIdx.x; j < batch; j += blockDim.x) localSum += expf(row[j] - rowMax);
  const float expSum = BlockReduce<false>(localSum, scratch);

  float matches = 0.f, logSum = 0.f, wSum = 0.f;
  for (int j = threadIdx.x; j < batch; j += blockDim.x) {
    const float p = expf(row[j] - rowMax) / expSum;
    row[j] = p;
    if (labels[j] == label) {
      matches += 1.f;
      logSum += logf(p + kLogEps);
      wSum += p / (p + kLogEps);
    }
  }
  matches = BlockReduce<false>(matches, scratch);
  logSum = BlockReduce<false>(logSum, scratch);
  wSum = BlockReduce<false>(wSum, scratch);

  const float c = -1.f / (matches * float(batch));
  for (int j = threadIdx.x; j < batch; j += blockDim.x) {
    const float p = row[j];
    const float w = labels[j] == label ? p / (p + kLogEps) : 0.f;
    const float tau = cosRow ? cosRow[j] + theta : theta;
    row[j] = c * (w - p * wSum) / tau;
  }
  if (threadIdx.x == 0) rowLoss[i] = -logSum / matches;
}

// grid (rows, matrices): dx = (dû − û (û·dû) [‖x‖ > eps]) / max(‖x‖, eps).
__global__ void NormalizeBackwardKernel(const float* unit, const float* invNorm, const float* above, const float* dUnit,
                                        float* dx, int rows, int dim) {
  __shared__ float scratch[32];
  const int64_t row = int64_t(blockIdx.y) * rows + blockIdx.x;
  const float* u = unit + row * dim;
  const float* g = dUnit + row * dim;
  float dot = 0.f;
  for (int d = threadIdx.x; d < dim; d += blockDim.x) dot += u[d] * g[d];
  const float along = BlockReduce<false>(dot, scratch) * above[row];
  const float inv = invNorm[row];
  float* out = dx + row * dim;
  for (int d = threadIdx.x; d < dim; d += blockDim.x) out[d] = (g[d] - u[d] * along) * inv;
}

__global__ void MeanKernel(const float* values, int count, float* mean) {
  __shared__ float scratch[32];
  float sum = 0.f;
  for (int k = threadIdx.x; k < count; k += blockDim.x) sum += values[k];
  sum = BlockReduce<false>(sum, scratch);
  if (threadIdx.x == 0) *mean = sum / float(count);
}

// Device memory reused across calls (grown when B or D grow); one call at a time.
struct Workspace {
  std::mutex mutex;
  DeviceBuffer floats;
  DeviceBuffer ints;
  Stream* stream = nullptr;
};

Workspace& GetWorkspace() {
  static Workspace workspace;
  static Stream stream;
  workspace.stream = &stream;
  return workspace;
}

size_t Align(size_t count) { return (count + 63) / 64 * 64; }  // floats: 256-byte alignment

}  // namespace

void LossGradCuda(const CscInput& in, CscOutput& out) {
  if (in.batch > INT32_MAX / 2 || in.dim > INT32_MAX / 2) throw std::runtime_error("batch or dim too large for CUDA");
  const int B = static_cast<int>(in.batch), D = static_cast<int>(in.dim);
  const size_t bd = size_t(B) * D, bb = size_t(B) * B;
  Workspace& ws = GetWorkspace();
  std::lock_guard<std::mutex> lock(ws.mutex);
  cudaStream_t stream = ws.stream->get();

  // Layout (floats): inputs v|z|a, units v̂|ẑ|â, inv norms, above flags, scores, cosines, dUnit v|z, grads v|z, rowLoss, loss.
  const size_t sizes[] = {3 * bd, 3 * bd, 3 * size_t(B), 3 * size_t(B), bb, in.calibrated ? bb : 0, 2 * bd, 2 * bd, size_t(B), 1};
  size_t offsets[10], total = 0;
  for (int k = 0; k < 10; ++k) offsets[k] = total, total += Align(sizes[k]);
  float* base = static_cast<float*>(ws.floats.Reserve(total * sizeof(float)));
  float* inputs = base + offsets[0];
  float* units = base + offsets[1];
  float* invNorm = base + offsets[2];
  float* above = base + offsets[3];
  float* scores = base + offsets[4];
  float* cosines = in.calibrated ? base + offsets[5] : nullptr;
  float* dUnit = base + offsets[6];
  float* grads = base + offsets[7];
  float* rowLoss = base + offsets[8];
  float* loss = base + offsets[9];
  int32_t* labels = static_cast<int32_t*>(ws.ints.Reserve(size_t(B) * sizeof(int32_t)));

  Check(cudaMemcpyAsync(inputs, in.v, bd * sizeof(float), cudaMemcpyHostToDevice, stream), "copy v");
  Check(cudaMemcpyAsync(inputs + bd, in.z, bd * sizeof(float), cudaMemcpyHostToDevice, stream), "copy z");
  const int normalized = in.calibrated ? 3 : 2;
  if (in.calibrated) {
    Check(cudaMemcpyAsync(inputs + 2 * bd, in.aSel, bd * sizeof(float), cudaMemcpyHostToDevice, stream), "copy aSel");
  }
  Check(cudaMemcpyAsync(labels, in.labels, size_t(B) * sizeof(int32_t), cudaMemcpyHostToDevice, stream), "copy labels");

  NormalizeRowsKernel<<<dim3(B, normalized), kThreads, 0, stream>>>(inputs, units, invNorm, above, B, D);
  const float* vUnit = units;
  const float* zUnit = units + bd;
  Gemm<false, true>(B, B, D, vUnit, D, zUnit, D, scores, B, stream);
  if (in.calibrated) Gemm<false, true>(B, B, D, vUnit, D, units + 2 * bd, D, cosines, B, stream);
  RowKernel<<<B, kThreads, 0, stream>>>(scores, cosines, labels, B, in.theta, rowLoss);
  Gemm<false, false>(B, D, B, scores, B, zUnit, D, dUnit, D, stream);      // dv̂ = dS ẑ
  Gemm<true, false>(B, D, B, scores, B, vUnit, D, dUnit + bd, D, stream);  // dẑ = dSᵀ v̂
  NormalizeBackwardKernel<<<dim3(B, 2), kThreads, 0, stream>>>(units, invNorm, above, dUnit, grads, B, D);
  MeanKernel<<<1, kThreads, 0, stream>>>(rowLoss, B, loss);
  Check(cudaGetLastError(), "CSC kernel launch");

  Check(cudaMemcpyAsync(out.dv, grads, bd * sizeof(float), cudaMemcpyDeviceToHost, stream), "copy dv");
  Check(cudaMemcpyAsync(out.dz, grads + bd, bd * sizeof(float), cudaMemcpyDeviceToHost, stream), "copy dz");
  Check(cudaMemcpyAsync(&out.loss, loss, sizeof(float), cudaMemcpyDeviceToHost, stream), "copy loss");
  Check(cudaStreamSynchronize(stream), "CSC kernels");
}

}  // namespace mnf::csc
