// CUDA twin of csc_cpu.cc (same formulas, see csc.h) on device addresses: normalise → two similarity
// GEMMs → one row kernel (τ, stable softmax, masked loss, dS) → two gradient GEMMs → normalisation
// backward → loss mean. The row-wise arithmetic follows csc_cpu.cc (sums in double, each float step
// rounded as there: the _rn intrinsics keep nvcc from fusing what the CPU rounds twice); the GEMMs
// sum in a different order than oneDNN's.
#include <cuda_runtime.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "csc/csc.h"
#include "device/cuda/cuda_device.cuh"
#include "device/cuda/fused.h"

namespace mnf::csc {
namespace {

using device::CheckLaunch;

constexpr int kThreads = 256;

template <typename T>
__device__ T WarpSum(T x) {
  for (int offset = 16; offset > 0; offset >>= 1) x += __shfl_xor_sync(0xffffffffu, x, offset);
  return x;
}
__device__ float WarpMax(float x) {
  for (int offset = 16; offset > 0; offset >>= 1) x = fmaxf(x, __shfl_xor_sync(0xffffffffu, x, offset));
  return x;
}

// Sum over the block; every thread gets the result. `scratch` holds 32 values.
template <typename T>
__device__ T BlockSum(T x, T* scratch) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  x = WarpSum(x);
  __syncthreads();
  if (lane == 0) scratch[warp] = x;
  __syncthreads();
  const int warps = (blockDim.x + 31) >> 5;
  return WarpSum(lane < warps ? scratch[lane] : T(0));
}

// Max over the block; every thread gets the result. `scratch` holds 32 floats.
__device__ float BlockMax(float x, float* scratch) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  x = WarpMax(x);
  __syncthreads();
  if (lane == 0) scratch[warp] = x;
  __syncthreads();
  const int warps = (blockDim.x + 31) >> 5;
  return WarpMax(lane < warps ? scratch[lane] : -INFINITY);
}

// The (B, D) matrices a kernel's blockIdx.y picks.
struct Matrices {
  const float* in[3];
};
struct Outputs {
  float* out[2];
};

// grid (rows, matrices): matrix blockIdx.y → unit rows (unit + y·rows·dim), 1/max(‖x‖, eps), ‖x‖ > eps.
__global__ void NormalizeRowsKernel(Matrices x, float* unit, float* invNorm, float* above, int rows, int dim) {
  __shared__ double scratch[32];
  const int64_t row = int64_t(blockIdx.y) * rows + blockIdx.x;
  const float* in = x.in[blockIdx.y] + int64_t(blockIdx.x) * dim;
  double squares = 0;
  for (int d = threadIdx.x; d < dim; d += blockDim.x) squares += double(in[d]) * in[d];
  const float norm = float(sqrt(BlockSum(squares, scratch)));
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
// With cosines (calibrated) their row is overwritten with 1/τ, as csc_cpu.cc does.
__global__ void RowKernel(float* scores, float* cosines, const int32_t* labels, int batch, float theta, double* rowLoss) {
  __shared__ double sums[32];
  __shared__ float maxima[32];
  const int i = blockIdx.x;
  float* row = scores + int64_t(i) * batch;
  float* invTau = cosines ? cosines + int64_t(i) * batch : nullptr;
  const float invTheta = 1.f / theta;
  const int32_t label = labels[i];

  // each thread keeps to its own columns j, so the passes need no barrier between them
  float localMax = -INFINITY;
  for (int j = threadIdx.x; j < batch; j += blockDim.x) {
    float logit;
    if (invTau) {
      invTau[j] = 1.f / __fadd_rn(invTau[j], theta);
      logit = __fmul_rn(row[j], invTau[j]);
    } else {
      logit = row[j] / theta;
    }
    row[j] = logit;
    localMax = fmaxf(localMax, logit);
  }
  const float rowMax = BlockMax(localMax, maxima);
  double localSum = 0;
  for (int j = threadIdx.x; j < batch; j += blockDim.x) {
    row[j] = expf(__fsub_rn(row[j], rowMax));
    localSum += row[j];
  }
  const float invSum = float(1.0 / BlockSum(localSum, sums));

  double matches = 0, logSum = 0, wSum = 0;
  for (int j = threadIdx.x; j < batch; j += blockDim.x) {
    const float p = __fmul_rn(row[j], invSum);
    row[j] = p;
    if (labels[j] == label) {
      matches += 1;
      logSum += logf(__fadd_rn(p, kLogEps));
      wSum += p / __fadd_rn(p, kLogEps);
    }
  }
  matches = BlockSum(matches, sums);
  logSum = BlockSum(logSum, sums);
  wSum = BlockSum(wSum, sums);

  // dlogit_ij = c (M_ij P_ij / (P_ij + eps) − P_ij Σ_k M_ik P_ik / (P_ik + eps)), c = −1 / (m_i B)
  const float c = float(-1.0 / (matches * double(batch)));
  const float ws = float(wSum);
  for (int j = threadIdx.x; j < batch; j += blockDim.x) {
    const float p = row[j];
    const float w = labels[j] == label ? p / __fadd_rn(p, kLogEps) : 0.f;
    row[j] = __fmul_rn(__fmul_rn(c, __fsub_rn(w, __fmul_rn(p, ws))), invTau ? invTau[j] : invTheta);
  }
  if (threadIdx.x == 0) rowLoss[i] = -logSum / matches;
}

// grid (rows, 2): matrix blockIdx.y's dx = (dû − û (û·dû) [‖x‖ > eps]) / max(‖x‖, eps).
__global__ void NormalizeBackwardKernel(const float* unit, const float* invNorm, const float* above, const float* dUnit, Outputs dx,
                                        int rows, int dim) {
  __shared__ double scratch[32];
  const int64_t row = int64_t(blockIdx.y) * rows + blockIdx.x;
  const float* u = unit + row * dim;
  const float* g = dUnit + row * dim;
  double dot = 0;
  for (int d = threadIdx.x; d < dim; d += blockDim.x) dot += double(u[d]) * g[d];
  dot = BlockSum(dot, scratch);
  const float along = above[row] != 0.f ? float(dot) : 0.f;
  const float inv = invNorm[row];
  float* out = dx.out[blockIdx.y] + int64_t(blockIdx.x) * dim;
  for (int d = threadIdx.x; d < dim; d += blockDim.x) out[d] = __fmul_rn(__fsub_rn(g[d], __fmul_rn(u[d], along)), inv);
}

__global__ void MeanKernel(const double* values, int count, float* mean) {
  __shared__ double scratch[32];
  double sum = 0;
  for (int k = threadIdx.x; k < count; k += blockDim.x) sum += values[k];
  sum = BlockSum(sum, scratch);
  if (threadIdx.x == 0) *mean = float(sum / double(count));
}

size_t Align(size_t count) { return (count + 63) / 64 * 64; }  // floats: 256-byte alignment

}  // namespace

void LossGradCuda(device::CudaDevice& gpu, const CscInput& in, float* loss, float* dv, float* dz) {
  if (in.batch > INT32_MAX / 2 || in.dim > INT32_MAX / 2) throw std::runtime_error("cscLoss on CUDA: batch or dim too large");
  const int B = static_cast<int>(in.batch), D = static_cast<int>(in.dim);
  const size_t bd = size_t(B) * D, bb = size_t(B) * B;
  gpu.MakeCurrent();
  cudaStream_t stream = gpu.stream();

  // Scratch layout (floats): units v̂|ẑ|â, inv norms, above flags, scores, cosines, dUnit v|z, rowLoss (B doubles).
  const int normalized = in.calibrated ? 3 : 2;
  const size_t sizes[] = {normalized * bd, 3 * size_t(B), 3 * size_t(B), bb, in.calibrated ? bb : 0, 2 * bd, 2 * size_t(B)};
  constexpr int kParts = sizeof(sizes) / sizeof(sizes[0]);
  size_t offsets[kParts], total = 0;
  for (int k = 0; k < kParts; ++k) offsets[k] = total, total += Align(sizes[k]);
  float* base = static_cast<float*>(gpu.Scratch(device::cuda::kFusedScratchSlot, total * sizeof(float)));
  float* units = base + offsets[0];
  float* invNorm = base + offsets[1];
  float* above = base + offsets[2];
  float* scores = base + offsets[3];
  float* cosines = in.calibrated ? base + offsets[4] : nullptr;
  float* dUnit = base + offsets[5];
  double* rowLoss = reinterpret_cast<double*>(base + offsets[6]);

  NormalizeRowsKernel<<<dim3(B, normalized), kThreads, 0, stream>>>(Matrices{{in.v, in.z, in.aSel}}, units, invNorm, above, B, D);
  CheckLaunch("cscLoss: NormalizeRowsKernel");
  const float* vUnit = units;
  const float* zUnit = units + bd;
  Gemm<false, true>(B, B, D, vUnit, D, zUnit, D, scores, B, stream);
  if (in.calibrated) Gemm<false, true>(B, B, D, vUnit, D, units + 2 * bd, D, cosines, B, stream);
  CheckLaunch("cscLoss: similarity GemmKernel");
  RowKernel<<<B, kThreads, 0, stream>>>(scores, cosines, in.labels, B, in.theta, rowLoss);
  CheckLaunch("cscLoss: RowKernel");
  Gemm<false, false>(B, D, B, scores, B, zUnit, D, dUnit, D, stream);      // dv̂ = dS ẑ
  Gemm<true, false>(B, D, B, scores, B, vUnit, D, dUnit + bd, D, stream);  // dẑ = dSᵀ v̂
  CheckLaunch("cscLoss: gradient GemmKernel");
  NormalizeBackwardKernel<<<dim3(B, 2), kThreads, 0, stream>>>(units, invNorm, above, dUnit, Outputs{{dv, dz}}, B, D);
  CheckLaunch("cscLoss: NormalizeBackwardKernel");
  MeanKernel<<<1, kThreads, 0, stream>>>(rowLoss, B, loss);
  CheckLaunch("cscLoss: MeanKernel");
}

}  // namespace mnf::csc
