// CUDA twins of native/norm/batchnorm.cc, ops_fused.cc's running statistics and native/kernels/adam.cc
// (the Adam step of a whole parameter group in one launch).
// BatchNorm over a (rows, channels) matrix, channels last: blocks over tiles of rows write per-channel
// partial sums (double) of their tile, one warp per channel adds a channel's partials and derives its
// statistics, and an element-wise pass over the same tiles applies them. The element-wise arithmetic
// is the CPU code's, operation for operation (the _rn intrinsics keep nvcc from fusing a multiply and
// an add the CPU rounds separately); only the order of the sums differs.
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "device/cuda/cuda_device.cuh"
#include "device/cuda/fused.h"

namespace mnf::device::cuda {
namespace {

constexpr int kThreads = 256;
constexpr int kWarp = 32;
// Row tiles per multiprocessor the passes aim for (each tile is one block per channel tile).
constexpr int64_t kTilesPerMultiprocessor = 16;

// A block is (channelLanes × rowLanes) threads over channelLanes consecutive channels of one tile of
// rows: a warp reads channelLanes consecutive floats of 32 / channelLanes consecutive rows.
struct RowTiles {
  int channelLanes;  // a power of two, at most 32
  int rowLanes;      // kThreads / channelLanes
  int64_t channelTiles;
  int64_t rowTiles;
  int64_t rowsPerTile;
};

RowTiles PlanRowTiles(const CudaDevice& gpu, int64_t rows, int64_t channels) {
  RowTiles t{};
  t.channelLanes = 1;
  while (t.channelLanes < channels && t.channelLanes < kWarp) t.channelLanes <<= 1;
  t.rowLanes = kThreads / t.channelLanes;
  t.channelTiles = (channels + t.channelLanes - 1) / t.channelLanes;
  if (t.channelTiles > 65535) throw std::runtime_error("BatchNorm on CUDA: " + std::to_string(channels) + " channels are too many (at most 2097120)");
  const int64_t wanted = std::max<int64_t>(1, std::max(1, gpu.multiprocessors()) * kTilesPerMultiprocessor / t.channelTiles);
  const int64_t most = (rows + t.rowLanes - 1) / t.rowLanes;  // a tile has at least rowLanes rows
  const int64_t tiles = std::min(wanted, most);
  t.rowsPerTile = (rows + tiles - 1) / tiles;
  t.rowTiles = (rows + t.rowsPerTile - 1) / t.rowsPerTile;
  return t;
}

dim3 TileGrid(const RowTiles& t) { return dim3(static_cast<unsigned>(t.rowTiles), static_cast<unsigned>(t.channelTiles)); }
dim3 TileBlock(const RowTiles& t) { return dim3(static_cast<unsigned>(t.channelLanes), static_cast<unsigned>(t.rowLanes)); }
// one warp per channel
unsigned ChannelWarpBlocks(int64_t channels) { return static_cast<unsigned>((channels + kThreads / kWarp - 1) / (kThreads / kWarp)); }

// max(v, +0) on the float's bits, as batchnorm.cc: a set sign bit clears every bit
__device__ __forceinline__ float Relu(float v) {
  const int b = __float_as_int(v);
  return __int_as_float(b & ~(b >> 31));
}

// dy, or with relu dy where y > 0 (y ≥ +0 is the ReLU's output: y > 0 ⟺ its bits > 0) else +0
template <bool kRelu>
__device__ __forceinline__ float Masked(float dy, float y) {
  if (!kRelu) return dy;
  return __int_as_float(__float_as_int(dy) & -static_cast<int>(__float_as_int(y) > 0));
}

// The block's two per-thread sums added over its row lanes (in lane order) into partial[tile][0..1][channel].
__device__ void StoreTilePartials(double a, double b, int64_t channel, int64_t channels, double* partial) {
  __shared__ double sums[2][kThreads];
  const int lane = threadIdx.y * blockDim.x + threadIdx.x;
  sums[0][lane] = a;
  sums[1][lane] = b;
  __syncthreads();
  if (threadIdx.y != 0 || channel >= channels) return;
  double ta = 0, tb = 0;
  for (unsigned r = 0; r < blockDim.y; ++r) {
    ta += sums[0][r * blockDim.x + threadIdx.x];
    tb += sums[1][r * blockDim.x + threadIdx.x];
  }
  double* out = partial + int64_t(blockIdx.x) * 2 * channels;
  out[channel] = ta;
  out[channels + channel] = tb;
}

// Σ (x − shift) and Σ (x − shift)² per channel over the block's tile, shift = x's first row
// (keeps E[d²] − E[d]² accurate when |mean| is large against the spread).
__global__ void ForwardMomentsKernel(const float* __restrict__ x, int64_t rows, int64_t channels, int64_t rowsPerTile,
                                     double* __restrict__ partial) {
  const int64_t c = int64_t(blockIdx.y) * blockDim.x + threadIdx.x;
  double sum = 0, sumSq = 0;
  if (c < channels) {
    const double shift = x[c];
    const int64_t begin = int64_t(blockIdx.x) * rowsPerTile, end = min(rows, begin + rowsPerTile);
#pragma unroll 4
    for (int64_t r = begin + threadIdx.y; r < end; r += blockDim.y) {
      const double d = double(x[r * channels + c]) - shift;
      sum += d;
      sumSq += d * d;
    }
  }
  StoreTilePartials(sum, sumSq, c, channels, partial);
}

// Σ over a channel's tiles of partial[tile][which][channel]; every lane of the warp gets it.
__device__ double ChannelTotal(const double* partial, int64_t tiles, int64_t channels, int64_t c, int which) {
  double s = 0;
  for (int64_t t = threadIdx.x % kWarp; t < tiles; t += kWarp) s += partial[(t * 2 + which) * channels + c];
  for (int offset = kWarp / 2; offset > 0; offset >>= 1) s += __shfl_xor_sync(0xffffffffu, s, offset);
  return s;
}

// params (doubles): mean[channels], scale[channels] (γ·invStd), beta[channels]
__global__ void ForwardStatsKernel(const double* __restrict__ partial, int64_t tiles, const float* __restrict__ x,
                                   const float* __restrict__ gamma, const float* __restrict__ beta, int64_t rows, int64_t channels,
                                   double eps, norm::TrainForwardOut out, double* __restrict__ params) {
  const int64_t c = int64_t(blockIdx.x) * (blockDim.x / kWarp) + threadIdx.x / kWarp;
  if (c >= channels) return;  // the whole warp
  const double total = ChannelTotal(partial, tiles, channels, c, 0);
  const double totalSq = ChannelTotal(partial, tiles, channels, c, 1);
  if (threadIdx.x % kWarp != 0) return;
  const double n = double(rows);
  const double meanShifted = __ddiv_rn(total, n);
  const double spread = __dsub_rn(__ddiv_rn(totalSq, n), __dmul_rn(meanShifted, meanShifted));
  const double variance = spread < 0.0 ? 0.0 : spread;  // std::max(spread, 0.0), NaN kept
  const double inv = __ddiv_rn(1.0, __dsqrt_rn(__dadd_rn(variance, eps)));
  const double mean = __dadd_rn(double(x[c]), meanShifted);
  params[c] = mean;
  params[channels + c] = __dmul_rn(double(gamma[c]), inv);
  params[2 * channels + c] = beta[c];
  out.mean[c] = float(mean);
  out.variance[c] = float(variance);
  out.invStd[c] = float(inv);
}

// y = [ReLU]((x − mean)·scale + beta [+ residual])
template <bool kRelu, bool kResidual>
__global__ void AffineKernel(const float* __restrict__ x, const float* __restrict__ residual, int64_t rows, int64_t channels,
                             int64_t rowsPerTile, const double* __restrict__ params, float* __restrict__ y) {
  const int64_t c = int64_t(blockIdx.y) * blockDim.x + threadIdx.x;
  if (c >= channels) return;
  const double mean = params[c], scale = params[channels + c], beta = params[2 * channels + c];
  const int64_t begin = int64_t(blockIdx.x) * rowsPerTile, end = min(rows, begin + rowsPerTile);
#pragma unroll 4
  for (int64_t r = begin + threadIdx.y; r < end; r += blockDim.y) {
    const int64_t i = r * channels + c;
    float v = float(__dadd_rn(__dmul_rn(__dsub_rn(double(x[i]), mean), scale), beta));
    if (kResidual) v = __fadd_rn(v, residual[i]);
    y[i] = kRelu ? Relu(v) : v;
  }
}

// Σg and Σ g·(x − mean) per channel over the block's tile (g: dy masked with relu)
template <bool kRelu>
__global__ void BackwardMomentsKernel(const float* __restrict__ dy, const float* __restrict__ y, const float* __restrict__ x,
                                      const float* __restrict__ meanF, int64_t rows, int64_t channels, int64_t rowsPerTile,
                                      double* __restrict__ partial) {
  const int64_t c = int64_t(blockIdx.y) * blockDim.x + threadIdx.x;
  double sumG = 0, sumGXc = 0;
  if (c < channels) {
    const double mean = meanF[c];
    const int64_t begin = int64_t(blockIdx.x) * rowsPerTile, end = min(rows, begin + rowsPerTile);
#pragma unroll 4
    for (int64_t r = begin + threadIdx.y; r < end; r += blockDim.y) {
      const int64_t i = r * channels + c;
      const double g = Masked<kRelu>(dy[i], kRelu ? y[i] : 0.f);
      sumG += g;
      sumGXc += g * (double(x[i]) - mean);
    }
  }
  StoreTilePartials(sumG, sumGXc, c, channels, partial);
}

// dβ = Σg, dγ = invStd·Σ g·(x − mean); params (doubles): mean, scale = γ·invStd,
// slope = −scale·invStd²·Σ g·(x − mean)/n, constant = −scale·Σg/n, [channels] each (batchnorm.cc's Backward)
__global__ void BackwardStatsKernel(const double* __restrict__ partial, int64_t tiles, const float* __restrict__ meanF,
                                    const float* __restrict__ invStd, const float* __restrict__ gamma, int64_t rows, int64_t channels,
                                    norm::TrainBackwardOut out, double* __restrict__ params) {
  const int64_t c = int64_t(blockIdx.x) * (blockDim.x / kWarp) + threadIdx.x / kWarp;
  if (c >= channels) return;  // the whole warp
  const double sumG = ChannelTotal(partial, tiles, channels, c, 0);
  const double sumGXc = ChannelTotal(partial, tiles, channels, c, 1);
  if (threadIdx.x % kWarp != 0) return;
  const double n = double(rows);
  const double inv = invStd[c];
  const double s = __dmul_rn(double(gamma[c]), inv);
  out.dBeta[c] = float(sumG);
  out.dGamma[c] = float(__dmul_rn(sumGXc, inv));
  params[c] = meanF[c];
  params[channels + c] = s;
  params[2 * channels + c] = __ddiv_rn(__dmul_rn(__dmul_rn(__dmul_rn(-s, inv), inv), sumGXc), n);
  params[3 * channels + c] = __ddiv_rn(__dmul_rn(-s, sumG), n);
}

// dx = g·scale + (x − mean)·slope + constant [, dResidual = g]
template <bool kRelu, bool kResidual>
__global__ void GradInputKernel(const float* __restrict__ dy, const float* __restrict__ y, const float* __restrict__ x, int64_t rows,
                                int64_t channels, int64_t rowsPerTile, const double* __restrict__ params, float* __restrict__ dx,
                                float* __restrict__ dResidual) {
  const int64_t c = int64_t(blockIdx.y) * blockDim.x + threadIdx.x;
  if (c >= channels) return;
  const double mean = params[c], scale = params[channels + c], slope = params[2 * channels + c], constant = params[3 * channels + c];
  const int64_t begin = int64_t(blockIdx.x) * rowsPerTile, end = min(rows, begin + rowsPerTile);
#pragma unroll 4
  for (int64_t r = begin + threadIdx.y; r < end; r += blockDim.y) {
    const int64_t i = r * channels + c;
    const float g = Masked<kRelu>(dy[i], kRelu ? y[i] : 0.f);
    if (kResidual) dResidual[i] = g;
    const double centred = __dsub_rn(double(x[i]), mean);
    dx[i] = float(__dadd_rn(__dadd_rn(__dmul_rn(double(g), scale), __dmul_rn(centred, slope)), constant));
  }
}

// ops_fused.cc's rule: mean' = f(runMean·keep) + f(mean·take), var' = f(runVar·keep) + f(var·unbias)
__global__ void RunningStatsKernel(const float* __restrict__ runningMean, const float* __restrict__ runningVar,
                                   const float* __restrict__ mean, const float* __restrict__ variance, int64_t channels, float keep,
                                   float take, float unbias, float* __restrict__ meanOut, float* __restrict__ varOut) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < channels; i += int64_t(gridDim.x) * blockDim.x) {
    meanOut[i] = __fadd_rn(__fmul_rn(runningMean[i], keep), __fmul_rn(mean[i], take));
    varOut[i] = __fadd_rn(__fmul_rn(runningVar[i], keep), __fmul_rn(variance[i], unbias));
  }
}

// adam.cc's loop for element i: g ← grad + wd·p;  m' = β1·m + (1−β1)·g;  v' = β2·v + (1−β2)·g·g;
// p' = p − stepSize·m' / (√v' / bc2Sqrt + eps), in double, each output rounded to float once.
// The outputs may be the inputs: element i is read before it is written.
__device__ __forceinline__ void AdamElement(int64_t i, const float* param, const float* grad, const float* m, const float* v,
                                            const kernels::AdamHyper& h, double oneMinusBeta1, double oneMinusBeta2, float* paramOut,
                                            float* mOut, float* vOut) {
  const double p = param[i];
  const double g = __dadd_rn(double(grad[i]), __dmul_rn(h.weightDecay, p));
  const double mi = __dadd_rn(__dmul_rn(h.beta1, double(m[i])), __dmul_rn(oneMinusBeta1, g));
  const double vi = __dadd_rn(__dmul_rn(h.beta2, double(v[i])), __dmul_rn(__dmul_rn(oneMinusBeta2, g), g));
  const double denominator = __dadd_rn(__ddiv_rn(__dsqrt_rn(vi), h.bc2Sqrt), h.eps);
  mOut[i] = float(mi);
  vOut[i] = float(vi);
  paramOut[i] = float(__dsub_rn(p, __ddiv_rn(__dmul_rn(h.stepSize, mi), denominator)));
}

// Multi-tensor apply (Apex's multi_tensor_apply): one launch steps up to kTensorsPerAdamLaunch
// tensors, its table passed as the kernel's argument. An argument needs nothing on the host to
// outlive the call; a table in device memory would need a host source that lives until its
// cudaMemcpyAsync has run (from pageable memory that copy may wait for the stream; pinned memory
// would need a ring of buffers guarded by events). CUDA 12.1 raised the argument limit from 4 KiB
// to 32 KiB (Volta and later, driver r530 or newer; this build targets sm 80-90), so a launch takes
// 128 tensors (9 KiB). The model's groups at the ucf51 preset (train/trainer.ts's buildStepParts):
// the R(2+1)D-10 student has 65 tensors, the MNF head 18: one launch each.
#if CUDART_VERSION >= 12010
constexpr int kTensorsPerAdamLaunch = 128;
constexpr size_t kKernelArgumentBytes = 32764;
#else
constexpr int kTensorsPerAdamLaunch = 48;
constexpr size_t kKernelArgumentBytes = 4096;
#endif
// Elements of one tensor a block steps at a time (the launch's unit of work).
constexpr int64_t kAdamChunk = 4096;

// Chunk k of the launch is chunk k − firstChunk[t] of tensor t, for the t with
// firstChunk[t] <= k < firstChunk[t + 1]; every tensor has at least one element.
struct AdamLaunchTable {
  const float* param[kTensorsPerAdamLaunch];
  const float* grad[kTensorsPerAdamLaunch];
  const float* m[kTensorsPerAdamLaunch];
  const float* v[kTensorsPerAdamLaunch];
  float* paramOut[kTensorsPerAdamLaunch];
  float* mOut[kTensorsPerAdamLaunch];
  float* vOut[kTensorsPerAdamLaunch];
  int64_t count[kTensorsPerAdamLaunch];
  int64_t firstChunk[kTensorsPerAdamLaunch + 1];
  int tensors;
};
static_assert(sizeof(AdamLaunchTable) + sizeof(kernels::AdamHyper) + 2 * sizeof(double) <= kKernelArgumentBytes,
              "AdamGroupKernel's arguments exceed the kernel argument limit");

// No __restrict__: a tensor's outputs may be its inputs.
__global__ void __launch_bounds__(kThreads) AdamGroupKernel(const __grid_constant__ AdamLaunchTable table, kernels::AdamHyper h,
                                                            double oneMinusBeta1, double oneMinusBeta2) {
  const int64_t chunks = table.firstChunk[table.tensors];
  for (int64_t chunk = blockIdx.x; chunk < chunks; chunk += gridDim.x) {
    int t = 0, last = table.tensors - 1;  // the last tensor whose first chunk is <= chunk
    while (t < last) {
      const int mid = (t + last + 1) / 2;
      if (table.firstChunk[mid] <= chunk) {
        t = mid;
      } else {
        last = mid - 1;
      }
    }
    const int64_t begin = (chunk - table.firstChunk[t]) * kAdamChunk;
    const int64_t end = min(table.count[t], begin + kAdamChunk);
    for (int64_t i = begin + threadIdx.x; i < end; i += blockDim.x) {
      AdamElement(i, table.param[t], table.grad[t], table.m[t], table.v[t], h, oneMinusBeta1, oneMinusBeta2, table.paramOut[t],
                  table.mOut[t], table.vOut[t]);
    }
  }
}

template <bool kRelu, bool kResidual>
void LaunchAffine(const RowTiles& t, cudaStream_t stream, const float* x, const float* residual, int64_t rows, int64_t channels,
                  const double* params, float* y) {
  AffineKernel<kRelu, kResidual><<<TileGrid(t), TileBlock(t), 0, stream>>>(x, residual, rows, channels, t.rowsPerTile, params, y);
  CheckLaunch("BatchNormTrainForward: AffineKernel");
}

template <bool kRelu, bool kResidual>
void LaunchGradInput(const RowTiles& t, cudaStream_t stream, const float* dy, const float* y, const float* x, int64_t rows,
                     int64_t channels, const double* params, float* dx, float* dResidual) {
  GradInputKernel<kRelu, kResidual><<<TileGrid(t), TileBlock(t), 0, stream>>>(dy, y, x, rows, channels, t.rowsPerTile, params, dx, dResidual);
  CheckLaunch("BatchNormTrainBackward: GradInputKernel");
}

// partial sums (2 per channel per tile) then `paramsPerChannel` doubles per channel, in one scratch area
double* ScratchDoubles(CudaDevice& gpu, const RowTiles& t, int64_t channels, int64_t paramsPerChannel) {
  const int64_t count = (2 * t.rowTiles + paramsPerChannel) * channels;
  return static_cast<double*>(gpu.Scratch(kFusedScratchSlot, static_cast<size_t>(count) * sizeof(double)));
}

}  // namespace

void BatchNormTrainForward(CudaDevice& gpu, const float* x, const float* residual, int64_t rows, int64_t channels, const float* gamma,
                           const float* beta, double eps, bool relu, const norm::TrainForwardOut& out) {
  gpu.MakeCurrent();
  const RowTiles t = PlanRowTiles(gpu, rows, channels);
  double* partial = ScratchDoubles(gpu, t, channels, 3);
  double* params = partial + 2 * t.rowTiles * channels;
  cudaStream_t stream = gpu.stream();
  ForwardMomentsKernel<<<TileGrid(t), TileBlock(t), 0, stream>>>(x, rows, channels, t.rowsPerTile, partial);
  CheckLaunch("BatchNormTrainForward: ForwardMomentsKernel");
  ForwardStatsKernel<<<ChannelWarpBlocks(channels), kThreads, 0, stream>>>(partial, t.rowTiles, x, gamma, beta, rows, channels, eps, out, params);
  CheckLaunch("BatchNormTrainForward: ForwardStatsKernel");
  if (relu && residual) {
    LaunchAffine<true, true>(t, stream, x, residual, rows, channels, params, out.y);
  } else if (relu) {
    LaunchAffine<true, false>(t, stream, x, nullptr, rows, channels, params, out.y);
  } else if (residual) {
    LaunchAffine<false, true>(t, stream, x, residual, rows, channels, params, out.y);
  } else {
    LaunchAffine<false, false>(t, stream, x, nullptr, rows, channels, params, out.y);
  }
}

void BatchNormTrainBackward(CudaDevice& gpu, const float* dy, const float* x, const float* y, const float* mean, const float* invStd,
                            const float* gamma, int64_t rows, int64_t channels, bool relu, const norm::TrainBackwardOut& out) {
  gpu.MakeCurrent();
  const RowTiles t = PlanRowTiles(gpu, rows, channels);
  double* partial = ScratchDoubles(gpu, t, channels, 4);
  double* params = partial + 2 * t.rowTiles * channels;
  cudaStream_t stream = gpu.stream();
  if (relu) {
    BackwardMomentsKernel<true><<<TileGrid(t), TileBlock(t), 0, stream>>>(dy, y, x, mean, rows, channels, t.rowsPerTile, partial);
  } else {
    BackwardMomentsKernel<false><<<TileGrid(t), TileBlock(t), 0, stream>>>(dy, nullptr, x, mean, rows, channels, t.rowsPerTile, partial);
  }
  CheckLaunch("BatchNormTrainBackward: BackwardMomentsKernel");
  BackwardStatsKernel<<<ChannelWarpBlocks(channels), kThreads, 0, stream>>>(partial, t.rowTiles, mean, invStd, gamma, rows, channels, out, params);
  CheckLaunch("BatchNormTrainBackward: BackwardStatsKernel");
  const bool residual = out.dResidual != nullptr;
  if (relu && residual) {
    LaunchGradInput<true, true>(t, stream, dy, y, x, rows, channels, params, out.dx, out.dResidual);
  } else if (relu) {
    LaunchGradInput<true, false>(t, stream, dy, y, x, rows, channels, params, out.dx, nullptr);
  } else if (residual) {
    LaunchGradInput<false, true>(t, stream, dy, nullptr, x, rows, channels, params, out.dx, out.dResidual);
  } else {
    LaunchGradInput<false, false>(t, stream, dy, nullptr, x, rows, channels, params, out.dx, nullptr);
  }
}

void BatchNormRunningStats(CudaDevice& gpu, const float* runningMean, const float* runningVar, const float* mean, const float* variance,
                           int64_t channels, double momentum, int64_t rows, float* meanOut, float* varOut) {
  gpu.MakeCurrent();
  // the factors exactly as ops_fused.cc rounds them
  const float keep = static_cast<float>(1 - momentum);
  const float take = static_cast<float>(momentum);
  const float unbias = static_cast<float>((momentum * static_cast<double>(rows)) / static_cast<double>(rows - 1));
  RunningStatsKernel<<<GridFor(channels), kThreads, 0, gpu.stream()>>>(runningMean, runningVar, mean, variance, channels, keep, take, unbias,
                                                                       meanOut, varOut);
  CheckLaunch("BatchNormRunningStats: RunningStatsKernel");
}

void AdamUpdateGroup(CudaDevice& gpu, const std::vector<AdamTensor>& tensors, const kernels::AdamHyper& h) {
  gpu.MakeCurrent();
  AdamLaunchTable table{};
  const auto launch = [&] {
    const int64_t chunks = table.firstChunk[table.tensors];
    const unsigned blocks = static_cast<unsigned>(std::min<int64_t>(chunks, int64_t(65535) * 8));
    AdamGroupKernel<<<blocks, kThreads, 0, gpu.stream()>>>(table, h, 1 - h.beta1, 1 - h.beta2);
    CheckLaunch("AdamUpdateGroup: AdamGroupKernel");
    table.tensors = 0;
  };
  for (const AdamTensor& tensor : tensors) {
    if (tensor.count == 0) continue;
    const int k = table.tensors;
    table.param[k] = tensor.param;
    table.grad[k] = tensor.grad;
    table.m[k] = tensor.m;
    table.v[k] = tensor.v;
    table.paramOut[k] = tensor.paramOut;
    table.mOut[k] = tensor.mOut;
    table.vOut[k] = tensor.vOut;
    table.count[k] = tensor.count;
    table.firstChunk[k + 1] = table.firstChunk[k] + (tensor.count + kAdamChunk - 1) / kAdamChunk;
    if (++table.tensors == kTensorsPerAdamLaunch) launch();
  }
  if (table.tensors > 0) launch();
}

}  // namespace mnf::device::cuda
