// Layout ops on the GPU: data movement only, so every value equals the twin's bit for bit.
// Transpose merges the dims that stay adjacent, then either gathers along an unmoved innermost dim
// or goes through 32×32 shared-memory tiles when the innermost dim moves (both sides coalesced).
// CopyBlock copies in the widest unit (up to 16 bytes) that every address and row length allows.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <stdexcept>
#include <string>

#include "device/cuda/cuda_device.cuh"
#include "device/cuda/layout.h"

namespace mnf::device::cuda {
namespace {

constexpr int kMaxDims = 8;
constexpr unsigned kThreads = 256;

// x's dims after dropping size-1 dims and merging runs of x axes that stay adjacent and in order in
// out; perm as in TransposeOp (out's axis k is x's axis perm[k]).
struct Permutation {
  std::vector<long long> xShape;
  std::vector<int> perm;
};

Permutation Simplify(const std::vector<int64_t>& xShape, const std::vector<int64_t>& perm) {
  // x's dims without the size-1 ones (adjacent in memory when adjacent here)
  std::vector<long long> sizes;
  std::vector<int> compact(xShape.size(), -1);
  for (size_t axis = 0; axis < xShape.size(); ++axis) {
    if (xShape[axis] == 1) continue;
    compact[axis] = static_cast<int>(sizes.size());
    sizes.push_back(xShape[axis]);
  }
  std::vector<int> kept;  // out's axes as compact x axes
  for (int64_t axis : perm)
    if (compact[axis] >= 0) kept.push_back(compact[axis]);
  // groups of consecutive x axes, in out order
  std::vector<std::pair<int, int>> groups;
  for (int axis : kept) {
    if (!groups.empty() && groups.back().second + 1 == axis) {
      groups.back().second = axis;
    } else {
      groups.push_back({axis, axis});
    }
  }
  std::vector<int> byX(groups.size());
  std::iota(byX.begin(), byX.end(), 0);
  std::sort(byX.begin(), byX.end(), [&](int a, int b) { return groups[a].first < groups[b].first; });
  Permutation p;
  p.perm.resize(groups.size());
  for (size_t rank = 0; rank < byX.size(); ++rank) {
    const auto [first, last] = groups[byX[rank]];
    long long size = 1;
    for (int axis = first; axis <= last; ++axis) size *= sizes[axis];
    p.xShape.push_back(size);
    p.perm[byX[rank]] = static_cast<int>(rank);
  }
  return p;
}

// out's dims with x's element stride along each
struct Gather {
  int rank = 0;
  long long outSize[kMaxDims] = {};
  long long xStride[kMaxDims] = {};
};

template <typename T, typename Index>
__global__ void TransposeGather(const T* __restrict__ x, T* __restrict__ out, Index n, Gather g) {
  for (Index i = blockIdx.x * static_cast<Index>(blockDim.x) + threadIdx.x; i < n; i += static_cast<Index>(gridDim.x) * blockDim.x) {
    Index rest = i, ix = 0;
    for (int d = g.rank - 1; d >= 0; --d) {
      const Index size = static_cast<Index>(g.outSize[d]);
      ix += (rest % size) * static_cast<Index>(g.xStride[d]);
      rest /= size;
    }
    out[i] = x[ix];
  }
}

// The innermost dim moves: x's innermost dim (P elements, stride 1 in x) becomes out's dim q, and x's
// dim a (A elements) becomes out's innermost. The other dims form the batch.
struct Tiles {
  long long A = 0, P = 0;
  long long xStrideA = 0;  // x's stride along dim a
  long long outStrideQ = 0;
  long long tilesA = 0;
  long long batch = 1;
  int batchRank = 0;
  long long batchSize[kMaxDims] = {};
  long long batchXStride[kMaxDims] = {};
  long long batchOutStride[kMaxDims] = {};
};

template <typename T>
__global__ void TransposeTiled(const T* __restrict__ x, T* __restrict__ out, Tiles t) {
  __shared__ T tile[32][33];
  const long long i0 = (blockIdx.x % t.tilesA) * 32;
  const long long p0 = (blockIdx.x / t.tilesA) * 32;
  for (long long b = blockIdx.y; b < t.batch; b += gridDim.y) {
    long long rest = b, xBase = 0, outBase = 0;
    for (int d = t.batchRank - 1; d >= 0; --d) {
      const long long c = rest % t.batchSize[d];
      rest /= t.batchSize[d];
      xBase += c * t.batchXStride[d];
      outBase += c * t.batchOutStride[d];
    }
    for (unsigned m = threadIdx.y; m < 32; m += 8) {
      const long long i = i0 + m, p = p0 + threadIdx.x;
      if (i < t.A && p < t.P) tile[m][threadIdx.x] = x[xBase + i * t.xStrideA + p];
    }
    __syncthreads();
    for (unsigned m = threadIdx.y; m < 32; m += 8) {
      const long long p = p0 + m, i = i0 + threadIdx.x;
      if (i < t.A && p < t.P) out[outBase + p * t.outStrideQ + i] = tile[threadIdx.x][m];
    }
    __syncthreads();
  }
}

template <typename T>
void LaunchTranspose(CudaDevice& gpu, const void* xp, const Permutation& p, long long n, void* outp) {
  const T* x = static_cast<const T*>(xp);
  T* out = static_cast<T*>(outp);
  const int rank = static_cast<int>(p.xShape.size());
  if (rank > kMaxDims) throw std::invalid_argument("deviceTranspose: the CUDA kernel permutes at most " + std::to_string(kMaxDims) + " separate dims");
  std::vector<long long> xStride(rank, 1), outShape(rank), outStride(rank, 1);
  for (int i = rank - 2; i >= 0; --i) xStride[i] = xStride[i + 1] * p.xShape[i + 1];
  for (int k = 0; k < rank; ++k) outShape[k] = p.xShape[p.perm[k]];
  for (int k = rank - 2; k >= 0; --k) outStride[k] = outStride[k + 1] * outShape[k + 1];

  if (p.perm[rank - 1] == rank - 1) {
    Gather g;
    g.rank = rank;
    for (int k = 0; k < rank; ++k) g.outSize[k] = outShape[k], g.xStride[k] = xStride[p.perm[k]];
    const unsigned blocks = GridFor(n, kThreads);
    // 32-bit index arithmetic when every index, and the grid-stride step past the last, fits
    if (n <= static_cast<long long>(INT32_MAX)) {
      TransposeGather<T, uint32_t><<<blocks, kThreads, 0, gpu.stream()>>>(x, out, static_cast<uint32_t>(n), g);
    } else {
      TransposeGather<T, long long><<<blocks, kThreads, 0, gpu.stream()>>>(x, out, n, g);
    }
    CheckLaunch("TransposeGather");
    return;
  }
  Tiles t;
  const int a = p.perm[rank - 1];
  const int q = static_cast<int>(std::find(p.perm.begin(), p.perm.end(), rank - 1) - p.perm.begin());
  t.A = p.xShape[a];
  t.P = p.xShape[rank - 1];
  t.xStrideA = xStride[a];
  t.outStrideQ = outStride[q];
  t.tilesA = (t.A + 31) / 32;
  for (int k = 0; k < rank; ++k) {
    if (k == q || k == rank - 1) continue;
    t.batchSize[t.batchRank] = outShape[k];
    t.batchXStride[t.batchRank] = xStride[p.perm[k]];
    t.batchOutStride[t.batchRank] = outStride[k];
    t.batch *= outShape[k];
    ++t.batchRank;
  }
  const long long tilesP = (t.P + 31) / 32;
  const dim3 grid(static_cast<unsigned>(t.tilesA * tilesP), static_cast<unsigned>(std::min<long long>(t.batch, 65535)));
  TransposeTiled<T><<<grid, dim3(32, 8), 0, gpu.stream()>>>(x, out, t);
  CheckLaunch("TransposeTiled");
}

// rows × cols units of U: dst row r at dst + r·dstPitch from src + r·srcPitch (pitches in units)
template <typename U, typename Index>
__global__ void CopyBlockKernel(const U* __restrict__ src, Index srcPitch, U* __restrict__ dst, Index dstPitch, Index cols, Index n) {
  for (Index i = blockIdx.x * static_cast<Index>(blockDim.x) + threadIdx.x; i < n; i += static_cast<Index>(gridDim.x) * blockDim.x) {
    const Index r = i / cols, c = i - r * cols;
    dst[r * dstPitch + c] = src[r * srcPitch + c];
  }
}

template <typename U>
void LaunchCopyBlock(CudaDevice& gpu, const uint8_t* src, long long srcPitch, uint8_t* dst, long long dstPitch, long long rowBytes, long long rows) {
  const long long cols = rowBytes / sizeof(U), sp = srcPitch / sizeof(U), dp = dstPitch / sizeof(U);
  const long long n = rows * cols;
  const U* s = reinterpret_cast<const U*>(src);
  U* d = reinterpret_cast<U*>(dst);
  const unsigned blocks = GridFor(n, kThreads);
  const long long last = (rows - 1) * std::max(sp, dp) + cols;
  if (last <= static_cast<long long>(INT32_MAX)) {
    CopyBlockKernel<U, uint32_t><<<blocks, kThreads, 0, gpu.stream()>>>(s, static_cast<uint32_t>(sp), d, static_cast<uint32_t>(dp),
                                                                        static_cast<uint32_t>(cols), static_cast<uint32_t>(n));
  } else {
    CopyBlockKernel<U, long long><<<blocks, kThreads, 0, gpu.stream()>>>(s, sp, d, dp, cols, n);
  }
  CheckLaunch("CopyBlockKernel");
}

}  // namespace

void Transpose(CudaDevice& gpu, size_t elementBytes, const void* x, const std::vector<int64_t>& xShape, const std::vector<int64_t>& perm,
               void* out) {
  long long n = 1;
  for (int64_t size : xShape) n *= size;
  if (n == 0) return;
  gpu.MakeCurrent();
  const Permutation p = Simplify(xShape, perm);
  if (p.xShape.size() <= 1) {
    // nothing moves
    CheckCuda(cudaMemcpyAsync(out, x, static_cast<size_t>(n) * elementBytes, cudaMemcpyDeviceToDevice, gpu.stream()), "cudaMemcpyAsync (deviceTranspose)");
    return;
  }
  if (elementBytes == 4) return LaunchTranspose<uint32_t>(gpu, x, p, n, out);
  if (elementBytes == 1) return LaunchTranspose<uint8_t>(gpu, x, p, n, out);
  throw std::invalid_argument("deviceTranspose: elements of " + std::to_string(elementBytes) + " bytes (expected 1 or 4)");
}

void CopyBlock(CudaDevice& gpu, size_t elementBytes, const void* src, int64_t srcRowLength, int64_t srcOffset, void* dst,
               int64_t dstRowLength, int64_t dstOffset, int64_t rows, int64_t cols) {
  if (rows == 0 || cols == 0) return;
  gpu.MakeCurrent();
  const long long eb = static_cast<long long>(elementBytes);
  const uint8_t* s = static_cast<const uint8_t*>(src) + srcOffset * eb;
  uint8_t* d = static_cast<uint8_t*>(dst) + dstOffset * eb;
  const long long srcPitch = srcRowLength * eb, dstPitch = dstRowLength * eb, rowBytes = cols * eb;
  // the widest unit dividing both addresses, both pitches and the row
  const unsigned long long all = reinterpret_cast<uintptr_t>(s) | reinterpret_cast<uintptr_t>(d) | static_cast<unsigned long long>(srcPitch) |
                                 static_cast<unsigned long long>(dstPitch) | static_cast<unsigned long long>(rowBytes);
  if (all % 16 == 0) return LaunchCopyBlock<uint4>(gpu, s, srcPitch, d, dstPitch, rowBytes, rows);
  if (all % 8 == 0) return LaunchCopyBlock<uint2>(gpu, s, srcPitch, d, dstPitch, rowBytes, rows);
  if (all % 4 == 0) return LaunchCopyBlock<uint32_t>(gpu, s, srcPitch, d, dstPitch, rowBytes, rows);
  if (all % 2 == 0) return LaunchCopyBlock<uint16_t>(gpu, s, srcPitch, d, dstPitch, rowBytes, rows);
  LaunchCopyBlock<uint8_t>(gpu, s, srcPitch, d, dstPitch, rowBytes, rows);
}

}  // namespace mnf::device::cuda
