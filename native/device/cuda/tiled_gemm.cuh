// Our tiled shared-memory GEMM, the kernel behind the convolutions and matrix products where cuDNN
// or cuBLAS is absent: C(z, m, n) = Σ_k A(z, m, k) · B(z, k, n), fp32 accumulation in k order. A and
// B are read through loader functors (a convolution's implicit-GEMM gather, a strided matrix), so
// no operand is materialised; a Store functor writes each result (epilogue, layout).
#pragma once
#include <cuda_runtime.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

#include "device/cuda/cuda_device.cuh"

namespace mnf::device::cuda {

/** MNF_CUDA_KERNELS=own: the built-in kernels even where cuDNN / cuBLAS are loaded (read per call). */
inline bool OwnKernelsOnly() {
  const char* v = std::getenv("MNF_CUDA_KERNELS");
  return v != nullptr && std::strcmp(v, "own") == 0;
}

constexpr int kTileM = 64, kTileN = 64, kTileK = 16, kGemmThreads = 256;

// 256 threads as 16 × 16; each computes 4 × 4 results spaced 16 apart (conflict-free shared reads).
// z runs over `batch` (grid-stride in gridDim.z); loaders see z and ignore it where it means nothing.
template <class LoadA, class LoadB, class Store>
__global__ void __launch_bounds__(kGemmThreads)
    TiledGemmKernel(int64_t M, int64_t N, int64_t K, int64_t batch, LoadA loadA, LoadB loadB, Store store) {
  __shared__ float as[kTileK][kTileM + 4];
  __shared__ float bs[kTileK][kTileN + 4];
  const int tx = threadIdx.x % 16, ty = threadIdx.x / 16;
  const int64_t m0 = static_cast<int64_t>(blockIdx.x) * kTileM, n0 = static_cast<int64_t>(blockIdx.y) * kTileN;
  for (int64_t z = blockIdx.z; z < batch; z += gridDim.z) {
    float acc[4][4] = {};
    for (int64_t k0 = 0; k0 < K; k0 += kTileK) {
      for (int i = threadIdx.x; i < kTileK * kTileM; i += kGemmThreads) {
        const int kk = i % kTileK, mm = i / kTileK;
        const int64_t m = m0 + mm, k = k0 + kk;
        as[kk][mm] = (m < M && k < K) ? loadA(z, m, k) : 0.f;
      }
      for (int i = threadIdx.x; i < kTileK * kTileN; i += kGemmThreads) {
        const int nn = i % kTileN, kk = i / kTileN;
        const int64_t n = n0 + nn, k = k0 + kk;
        bs[kk][nn] = (n < N && k < K) ? loadB(z, k, n) : 0.f;
      }
      __syncthreads();
#pragma unroll
      for (int kk = 0; kk < kTileK; ++kk) {
        float a[4], b[4];
#pragma unroll
        for (int i = 0; i < 4; ++i) a[i] = as[kk][ty + 16 * i];
#pragma unroll
        for (int j = 0; j < 4; ++j) b[j] = bs[kk][tx + 16 * j];
#pragma unroll
        for (int i = 0; i < 4; ++i) {
#pragma unroll
          for (int j = 0; j < 4; ++j) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
        }
      }
      __syncthreads();
    }
#pragma unroll
    for (int i = 0; i < 4; ++i) {
#pragma unroll
      for (int j = 0; j < 4; ++j) {
        const int64_t m = m0 + ty + 16 * i, n = n0 + tx + 16 * j;
        if (m < M && n < N) store(z, m, n, acc[i][j]);
      }
    }
  }
}

/** Blocks of tiles over (M, N) × batch on `stream`; nothing when the output is empty. */
template <class LoadA, class LoadB, class Store>
void LaunchTiledGemm(cudaStream_t stream, int64_t M, int64_t N, int64_t K, int64_t batch, LoadA loadA, LoadB loadB, Store store,
                     const char* what) {
  if (M == 0 || N == 0 || batch == 0) return;
  const int64_t tilesM = (M + kTileM - 1) / kTileM, tilesN = (N + kTileN - 1) / kTileN;
  if (tilesM > 0x7fffffffLL || tilesN > 65535) {
    throw std::runtime_error(std::string(what) + ": a " + std::to_string(M) + " × " + std::to_string(N) + " product is too large for one launch");
  }
  const dim3 grid(static_cast<unsigned>(tilesM), static_cast<unsigned>(tilesN), static_cast<unsigned>(batch < 65535 ? batch : 65535));
  TiledGemmKernel<<<grid, kGemmThreads, 0, stream>>>(M, N, K, batch, loadA, loadB, store);
  CheckLaunch(what);
}

}  // namespace mnf::device::cuda
