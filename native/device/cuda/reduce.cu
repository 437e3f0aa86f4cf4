// Reductions and softmax on the GPU, with the emulated twin's numbers (ops_reduce.cc): float32 sums
// accumulate in double as the twin's do (the order of a parallel sum then changes nothing a float32
// result can show), int32 sums exactly in 64 bits, and Max/ArgMax carry each candidate's index in the
// twin's reduction order so that ties (+0/-0, repeated maxima) and NaN resolve as its sequential loop
// does. Softmax takes exp in double like the twin.
//
// Layout: x's kept dims (the output, row-major) and reduced dims are merged where contiguous; one of
// them holds the stride-1 dim. Reduced innermost ("rows"): a warp or a block per output, the block's
// work split over several blocks when there are too few outputs to fill the GPU (partials in scratch,
// then one combining pass). Kept innermost ("columns"): 32 adjacent outputs per block read coalesced
// rows, again split along the reduction when needed. Tiny reductions: a thread per output.
#include <math_constants.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "device/cuda/cuda_device.cuh"
#include "device/cuda/reduce.h"
#include "device/ops_host.h"
#include "device/ops_reduce.h"

namespace mnf::device::cuda {
namespace {

constexpr int kMaxDims = 8;
constexpr unsigned kBlock = 256;

struct ReduceGeometry {
  // kept dims, outer to inner (the output's row-major order), with x's element strides
  int keptRank = 0;
  long long keptSize[kMaxDims] = {};
  long long keptStride[kMaxDims] = {};
  // reduced dims in memory order, x's strides, and each dim's weight in the twin's reduction index
  // (row-major over the reduced axes in the order the caller gave them)
  int redRank = 0;
  long long redSize[kMaxDims] = {};
  long long redStride[kMaxDims] = {};
  long long redIndex[kMaxDims] = {};
  long long outputs = 1;
  long long extent = 1;
};

ReduceGeometry GeometryOf(const std::vector<int64_t>& shape, const std::vector<int64_t>& axes) {
  const int rank = static_cast<int>(shape.size());
  std::vector<long long> stride(rank, 1), weight(rank, -1);
  for (int i = rank - 2; i >= 0; --i) stride[i] = stride[i + 1] * shape[i + 1];
  ReduceGeometry g;
  for (size_t i = axes.size(); i-- > 0;) {
    weight[axes[i]] = g.extent;
    g.extent *= shape[axes[i]];
  }
  auto push = [](int& n, long long* size, long long* strides, long long* index, long long s, long long st, long long w) {
    // merges into the previous (outer) dim when the pair is contiguous in x (and in the index order)
    if (n > 0 && strides[n - 1] == st * s && (index == nullptr || index[n - 1] == w * s)) {
      size[n - 1] *= s;
      strides[n - 1] = st;
      if (index) index[n - 1] = w;
      return;
    }
    if (n == kMaxDims) throw std::invalid_argument("deviceReduce: the CUDA kernel takes at most " + std::to_string(kMaxDims) + " separate dims");
    size[n] = s;
    strides[n] = st;
    if (index) index[n] = w;
    ++n;
  };
  for (int i = 0; i < rank; ++i) {
    if (weight[i] < 0) g.outputs *= shape[i];
    if (shape[i] == 1) continue;
    if (weight[i] >= 0) {
      push(g.redRank, g.redSize, g.redStride, g.redIndex, shape[i], stride[i], weight[i]);
    } else {
      push(g.keptRank, g.keptSize, g.keptStride, nullptr, shape[i], stride[i], 0);
    }
  }
  return g;
}

__device__ inline long long KeptOffset(const ReduceGeometry& g, long long o) {
  long long offset = 0;
  for (int d = g.keptRank - 1; d >= 0; --d) {
    offset += (o % g.keptSize[d]) * g.keptStride[d];
    o /= g.keptSize[d];
  }
  return offset;
}

// The k-th reduced element (memory order): its offset from the output's base and its twin index.
__device__ inline void ReducedAt(const ReduceGeometry& g, long long k, long long& offset, long long& index) {
  if (g.redRank <= 1) {
    offset = g.redRank == 0 ? 0 : k * g.redStride[0];
    index = g.redRank == 0 ? 0 : k * g.redIndex[0];
    return;
  }
  offset = 0;
  index = 0;
  for (int d = g.redRank - 1; d >= 0; --d) {
    const long long c = k % g.redSize[d];
    k /= g.redSize[d];
    offset += c * g.redStride[d];
    index += c * g.redIndex[d];
  }
}

// ---- what each op accumulates ----

template <typename T>
struct Best {
  T value;
  long long index;  // < 0: no candidate yet
};

// float32 Sum and Mean: double sums, as the twin's loops
struct SumFloat {
  using In = float;
  using Out = float;
  using Acc = double;
  double scale;  // the addon's Mean multiplies the sum by 1/count; 1 otherwise
  float count;   // tfjs's Mean divides each element by the count first
  bool divideFirst;
  __device__ Acc Init() const { return 0.0; }
  __device__ Acc Element(float v, long long) const { return divideFirst ? static_cast<double>(__fdiv_rn(v, count)) : static_cast<double>(v); }
  __device__ Acc Combine(Acc a, Acc b) const { return a + b; }
  __device__ Out Finish(Acc a) const { return static_cast<float>(__dmul_rn(a, scale)); }
};

// int32 Sum: the twin's double sum (exact below 2^53) stored into an Int32Array
struct SumInt {
  using In = int32_t;
  using Out = int32_t;
  using Acc = long long;
  __device__ Acc Init() const { return 0; }
  __device__ Acc Element(int32_t v, long long) const { return v; }
  __device__ Acc Combine(Acc a, Acc b) const { return a + b; }
  __device__ Out Finish(Acc a) const { return static_cast<int32_t>(static_cast<uint32_t>(a)); }
};

// the earlier of two equal candidates wins, as in the twin's strict `v > m` loop
template <typename T>
__device__ inline Best<T> Earlier(Best<T> a, Best<T> b) {
  return a.index <= b.index ? a : b;
}

// Max: NaN if any element is NaN, else the first maximal element (-0 and +0 as they come); an empty
// reduction gives NaN (float32) or 0 (int32)
template <typename T>
struct MaxOf {
  using In = T;
  using Out = T;
  using Acc = Best<T>;
  __device__ Acc Init() const { return {T(0), -1}; }
  __device__ Acc Element(T v, long long j) const { return {v, j}; }
  __device__ Acc Combine(Acc a, Acc b) const {
    if (a.index < 0) return b;
    if (b.index < 0) return a;
    if constexpr (std::is_floating_point<T>::value) {
      const bool an = isnan(a.value), bn = isnan(b.value);
      if (an || bn) return an && bn ? Earlier(a, b) : (an ? a : b);
    }
    if (a.value != b.value) return a.value > b.value ? a : b;
    return Earlier(a, b);
  }
  __device__ Out Finish(Acc a) const {
    if (a.index >= 0) return a.value;
    if constexpr (std::is_floating_point<T>::value) return CUDART_NAN_F;
    return T(0);
  }
};

// ArgMax: the first index of the largest element; NaN never wins, except that a NaN first element
// (the twin's starting maximum, which nothing exceeds) gives 0
template <typename T>
struct ArgMaxOf {
  using In = T;
  using Out = int32_t;
  using Acc = Best<T>;
  __device__ Acc Init() const { return {T(0), -1}; }
  __device__ Acc Element(T v, long long j) const {
    if constexpr (std::is_floating_point<T>::value) {
      if (isnan(v)) return j == 0 ? Acc{CUDART_INF_F, 0} : Acc{T(0), -1};
    }
    return {v, j};
  }
  __device__ Acc Combine(Acc a, Acc b) const {
    if (a.index < 0) return b;
    if (b.index < 0) return a;
    if (a.value != b.value) return a.value > b.value ? a : b;
    return Earlier(a, b);
  }
  __device__ Out Finish(Acc a) const { return a.index < 0 ? 0 : static_cast<int32_t>(a.index); }
};

// ---- warp and block combination ----

__device__ inline double ShuffleDown(double v, int offset) { return __shfl_down_sync(0xffffffffu, v, offset); }
__device__ inline float ShuffleDown(float v, int offset) { return __shfl_down_sync(0xffffffffu, v, offset); }
__device__ inline int ShuffleDown(int v, int offset) { return __shfl_down_sync(0xffffffffu, v, offset); }
__device__ inline long long ShuffleDown(long long v, int offset) { return __shfl_down_sync(0xffffffffu, v, offset); }
template <typename T>
__device__ inline Best<T> ShuffleDown(Best<T> v, int offset) {
  return {ShuffleDown(v.value, offset), ShuffleDown(v.index, offset)};
}

// Lane 0 gets the warp's combination (every lane of the warp must call).
template <typename Acc, typename Combine>
__device__ inline Acc WarpCombine(Acc acc, Combine combine) {
  for (int offset = 16; offset > 0; offset >>= 1) acc = combine(acc, ShuffleDown(acc, offset));
  return acc;
}

// Every thread of a kBlock-thread block gets the block's combination (every thread must call).
template <typename Acc, typename Combine>
__device__ inline Acc BlockCombine(Acc acc, Combine combine, Acc identity) {
  __shared__ Acc warps[kBlock / 32];
  __shared__ Acc result;
  const unsigned lane = threadIdx.x & 31u, warp = threadIdx.x >> 5;
  acc = WarpCombine(acc, combine);
  if (lane == 0) warps[warp] = acc;
  __syncthreads();
  if (warp == 0) {
    acc = WarpCombine(lane < kBlock / 32 ? warps[lane] : identity, combine);
    if (lane == 0) result = acc;
  }
  __syncthreads();
  acc = result;
  __syncthreads();  // `warps` and `result` may be reused by the caller's next combination
  return acc;
}

// ---- kernels ----

template <typename R>
__global__ void ReduceThreadPerOutput(const typename R::In* __restrict__ x, typename R::Out* __restrict__ out, ReduceGeometry g, R r) {
  for (long long o = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; o < g.outputs; o += static_cast<long long>(gridDim.x) * blockDim.x) {
    const long long base = KeptOffset(g, o);
    typename R::Acc acc = r.Init();
    for (long long k = 0; k < g.extent; ++k) {
      long long offset, index;
      ReducedAt(g, k, offset, index);
      acc = r.Combine(acc, r.Element(x[base + offset], index));
    }
    out[o] = r.Finish(acc);
  }
}

// Groups of `Group` threads (32: a warp, kBlock: the block) per output; blockIdx.y is the split of
// the reduction this block covers (`chunk` elements each). With one split the group writes the result,
// otherwise its partial.
template <typename R, unsigned Group>
__global__ void ReduceRows(const typename R::In* __restrict__ x, typename R::Out* __restrict__ out, typename R::Acc* __restrict__ partial,
                           ReduceGeometry g, R r, long long chunk) {
  constexpr unsigned kGroups = kBlock / Group;
  const unsigned lane = threadIdx.x % Group;
  const long long o = static_cast<long long>(blockIdx.x) * kGroups + threadIdx.x / Group;
  const long long start = static_cast<long long>(blockIdx.y) * chunk;
  const long long end = min(g.extent, start + chunk);
  typename R::Acc acc = r.Init();
  if (o < g.outputs) {
    const long long base = KeptOffset(g, o);
    for (long long k = start + lane; k < end; k += Group) {
      long long offset, index;
      ReducedAt(g, k, offset, index);
      acc = r.Combine(acc, r.Element(x[base + offset], index));
    }
  }
  auto combine = [&r](typename R::Acc a, typename R::Acc b) { return r.Combine(a, b); };
  if constexpr (Group == 32) {
    acc = WarpCombine(acc, combine);
  } else {
    acc = BlockCombine(acc, combine, r.Init());
  }
  if (lane != 0 || o >= g.outputs) return;
  if (gridDim.y == 1) {
    out[o] = r.Finish(acc);
  } else {
    partial[o * gridDim.y + blockIdx.y] = acc;
  }
}

// 32 adjacent outputs along the kept stride-1 dim per block (threadIdx.x), 8 rows of the reduction
// at a time (threadIdx.y); blockIdx.x enumerates (outer output, tile), blockIdx.y the split.
template <typename R>
__global__ void ReduceColumns(const typename R::In* __restrict__ x, typename R::Out* __restrict__ out, typename R::Acc* __restrict__ partial,
                              ReduceGeometry g, R r, long long chunk, long long tiles) {
  __shared__ typename R::Acc rows[8][32];
  const long long inner = g.keptSize[g.keptRank - 1];
  const long long column = (blockIdx.x % tiles) * 32 + threadIdx.x;
  const long long o = (blockIdx.x / tiles) * inner + column;
  const long long start = static_cast<long long>(blockIdx.y) * chunk;
  const long long end = min(g.extent, start + chunk);
  typename R::Acc acc = r.Init();
  if (column < inner) {
    const long long base = KeptOffset(g, o);
    for (long long k = start + threadIdx.y; k < end; k += 8) {
      long long offset, index;
      ReducedAt(g, k, offset, index);
      acc = r.Combine(acc, r.Element(x[base + offset], index));
    }
  }
  rows[threadIdx.y][threadIdx.x] = acc;
  __syncthreads();
  if (threadIdx.y != 0 || column >= inner) return;
  for (int y = 1; y < 8; ++y) acc = r.Combine(acc, rows[y][threadIdx.x]);
  if (gridDim.y == 1) {
    out[o] = r.Finish(acc);
  } else {
    partial[o * gridDim.y + blockIdx.y] = acc;
  }
}

// A warp per output combines its `splits` partials.
template <typename R>
__global__ void ReduceFinish(const typename R::Acc* __restrict__ partial, typename R::Out* __restrict__ out, long long outputs, int splits, R r) {
  const long long o = (blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x) / 32;
  const int lane = threadIdx.x & 31;
  typename R::Acc acc = r.Init();
  if (o < outputs) {
    for (int s = lane; s < splits; s += 32) acc = r.Combine(acc, partial[o * splits + s]);
  }
  acc = WarpCombine(acc, [&r](typename R::Acc a, typename R::Acc b) { return r.Combine(a, b); });
  if (lane == 0 && o < outputs) out[o] = r.Finish(acc);
}

// Splits of a reduction so that `blocks` blocks per split become about enough to fill the GPU, each
// split at least `minChunk` elements; returns the chunk length.
long long ChunkFor(const CudaDevice& gpu, long long blocks, long long extent, long long minChunk, int& splits) {
  const long long wanted = (8LL * gpu.multiprocessors() + blocks - 1) / blocks;
  const long long most = std::max(1LL, std::min<long long>(1024, extent / minChunk));
  splits = static_cast<int>(std::clamp(wanted, 1LL, most));
  const long long chunk = (extent + splits - 1) / splits;
  splits = static_cast<int>((extent + chunk - 1) / chunk);
  return chunk;
}

template <typename R>
void RunReduce(CudaDevice& gpu, const void* xp, void* outp, const ReduceGeometry& g, R r) {
  using Acc = typename R::Acc;
  const auto* x = static_cast<const typename R::In*>(xp);
  auto* out = static_cast<typename R::Out*>(outp);
  cudaStream_t stream = gpu.stream();
  const bool columns = g.keptRank > 0 && g.keptStride[g.keptRank - 1] == 1;
  int splits = 1;
  long long chunk = g.extent;
  Acc* partial = nullptr;
  auto scratch = [&] { partial = static_cast<Acc*>(gpu.Scratch(0, static_cast<size_t>(g.outputs) * splits * sizeof(Acc))); };

  if (g.extent <= 16) {
    ReduceThreadPerOutput<<<GridFor(g.outputs, kBlock), kBlock, 0, stream>>>(x, out, g, r);
    CheckLaunch("ReduceThreadPerOutput");
    return;
  }
  if (columns) {
    const long long inner = g.keptSize[g.keptRank - 1];
    const long long tiles = (inner + 31) / 32;
    const long long blocks = tiles * (g.outputs / inner);
    chunk = ChunkFor(gpu, blocks, g.extent, 64, splits);
    if (splits > 1) scratch();
    ReduceColumns<<<dim3(static_cast<unsigned>(blocks), splits), dim3(32, 8), 0, stream>>>(x, out, partial, g, r, chunk, tiles);
    CheckLaunch("ReduceColumns");
  } else if (g.extent <= 1024) {
    constexpr long long kWarps = kBlock / 32;
    ReduceRows<R, 32><<<dim3(static_cast<unsigned>((g.outputs + kWarps - 1) / kWarps), 1), kBlock, 0, stream>>>(x, out, partial, g, r, chunk);
    CheckLaunch("ReduceRows (warp per output)");
  } else {
    chunk = ChunkFor(gpu, g.outputs, g.extent, 4096, splits);
    if (splits > 1) scratch();
    ReduceRows<R, kBlock><<<dim3(static_cast<unsigned>(g.outputs), splits), kBlock, 0, stream>>>(x, out, partial, g, r, chunk);
    CheckLaunch("ReduceRows (block per output)");
  }
  if (splits > 1) {
    const long long warpsPerBlock = kBlock / 32;
    ReduceFinish<<<static_cast<unsigned>((g.outputs + warpsPerBlock - 1) / warpsPerBlock), kBlock, 0, stream>>>(partial, out, g.outputs, splits, r);
    CheckLaunch("ReduceFinish");
  }
}

// ---- softmax ----

__device__ inline float MaxWithNaN(float a, float b) { return isnan(b) || b > a ? b : a; }

// Softmax of one row per `Group` threads: max, exp(x - max) in double stored as float32, their
// double sum, then each value divided by the float32 sum (the twin's three passes).
template <unsigned Group>
__global__ void SoftmaxRows(const float* __restrict__ x, float* __restrict__ out, long long rows, long long cols) {
  constexpr unsigned kGroups = kBlock / Group;
  const unsigned lane = threadIdx.x % Group;
  const long long row = static_cast<long long>(blockIdx.x) * kGroups + threadIdx.x / Group;
  const bool active = row < rows;
  const float* in = x + (active ? row : 0) * cols;
  float* o = out + (active ? row : 0) * cols;

  float m = -CUDART_INF_F;
  if (active) {
    for (long long c = lane; c < cols; c += Group) m = MaxWithNaN(m, in[c]);
  }
  double sum = 0;
  if constexpr (Group == 32) {
    for (int offset = 16; offset > 0; offset >>= 1) m = MaxWithNaN(m, ShuffleDown(m, offset));
    m = __shfl_sync(0xffffffffu, m, 0);
  } else {
    m = BlockCombine(m, MaxWithNaN, -CUDART_INF_F);
  }
  if (active) {
    for (long long c = lane; c < cols; c += Group) {
      const float e = static_cast<float>(exp(static_cast<double>(__fsub_rn(in[c], m))));
      o[c] = e;
      sum += e;
    }
  }
  auto add = [](double a, double b) { return a + b; };
  if constexpr (Group == 32) {
    sum = WarpCombine(sum, add);
    sum = __shfl_sync(0xffffffffu, sum, 0);
  } else {
    sum = BlockCombine(sum, add, 0.0);
  }
  const float total = static_cast<float>(sum);
  if (active) {
    for (long long c = lane; c < cols; c += Group) o[c] = __fdiv_rn(o[c], total);
  }
}

}  // namespace

void Reduce(CudaDevice& gpu, int op, int dtype, const void* x, const std::vector<int64_t>& xShape, const std::vector<int64_t>& axes,
            void* out, bool meanDividesFirst) {
  const ReduceGeometry g = GeometryOf(xShape, axes);
  if (g.outputs == 0) return;
  gpu.MakeCurrent();
  if (dtype == kFloat32) {
    switch (op) {
      case kRSum: return RunReduce(gpu, x, out, g, SumFloat{1.0, 1.f, false});
      case kRMean:
        if (meanDividesFirst) return RunReduce(gpu, x, out, g, SumFloat{1.0, static_cast<float>(g.extent), true});
        return RunReduce(gpu, x, out, g, SumFloat{1.0 / static_cast<double>(g.extent), 1.f, false});
      case kRMax: return RunReduce(gpu, x, out, g, MaxOf<float>{});
      case kRArgMax: return RunReduce(gpu, x, out, g, ArgMaxOf<float>{});
    }
  } else if (dtype == kInt32) {
    switch (op) {
      case kRSum: return RunReduce(gpu, x, out, g, SumInt{});
      case kRMax: return RunReduce(gpu, x, out, g, MaxOf<int32_t>{});
      case kRArgMax: return RunReduce(gpu, x, out, g, ArgMaxOf<int32_t>{});
    }
  }
  throw std::invalid_argument("deviceReduce: op " + std::to_string(op) + " on dtype " + std::to_string(dtype) + " has no CUDA kernel");
}

void Softmax(CudaDevice& gpu, const void* xp, void* outp, int64_t rows, int64_t cols) {
  if (rows == 0 || cols == 0) return;
  gpu.MakeCurrent();
  const float* x = static_cast<const float*>(xp);
  float* out = static_cast<float*>(outp);
  if (cols <= 1024) {
    constexpr long long kWarps = kBlock / 32;
    SoftmaxRows<32><<<static_cast<unsigned>((rows + kWarps - 1) / kWarps), kBlock, 0, gpu.stream()>>>(x, out, rows, cols);
  } else {
    SoftmaxRows<kBlock><<<static_cast<unsigned>(rows), kBlock, 0, gpu.stream()>>>(x, out, rows, cols);
  }
  CheckLaunch("SoftmaxRows");
}

}  // namespace mnf::device::cuda
