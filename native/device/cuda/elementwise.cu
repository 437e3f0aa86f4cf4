// The element-wise device ops on the GPU, with the emulated twin's numbers (ops_elementwise.cc):
// float32 + - * / √ and comparisons are exact in float (IEEE round-to-nearest, no FMA contraction);
// where the twin computes in double before storing float32 (exp, log, rsqrt, pow, the exp inside
// sigmoid, int32 arithmetic with ECMAScript ToInt32, Clip's bounds) the kernels do too, so results
// match to the last bit or, for exp/log/pow, within the math libraries' one ulp.
#include <math_constants.h>

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "device/cuda/cuda_device.cuh"
#include "device/cuda/elementwise.h"
#include "device/ops_elementwise.h"
#include "device/ops_host.h"

namespace mnf::device::cuda {
namespace {

constexpr unsigned kThreads = 256;
// numpy broadcasting over at most this many dims (after merging the dims that broadcast alike)
constexpr int kMaxRank = 8;

// ECMAScript ToInt32 (ops_host.h's JsToInt32) on the device.
__device__ inline int32_t DeviceJsToInt32(double v) {
  if (!isfinite(v)) return 0;
  double m = fmod(trunc(v), 4294967296.0);
  if (m < 0) m += 4294967296.0;
  return static_cast<int32_t>(static_cast<uint32_t>(m));
}

// JavaScript's Math.max: NaN if either is NaN, +0 over -0.
template <typename T>
__device__ inline T JsMax(T a, T b) {
  if (isnan(a) || isnan(b)) return static_cast<T>(CUDART_NAN);
  if (a == b) return signbit(a) ? b : a;
  return a > b ? a : b;
}

// JavaScript's Math.pow: (±1) ** (±Infinity | NaN) is NaN.
__device__ inline double JsPow(double a, double b) {
  if (fabs(a) == 1.0 && !isfinite(b)) return CUDART_NAN;
  return pow(a, b);
}

// ---- unary ----

template <int Op>
struct UnaryF {
  double alpha, beta;
  __device__ float operator()(float x) const {
    if constexpr (Op == kUAbs) return fabsf(x);
    if constexpr (Op == kUExp) return static_cast<float>(exp(static_cast<double>(x)));
    if constexpr (Op == kUFloor) return floorf(x);
    if constexpr (Op == kULog) return static_cast<float>(log(static_cast<double>(x)));
    if constexpr (Op == kUNeg) return -x;
    if constexpr (Op == kURelu) return x < 0.f ? 0.f : x;
    if constexpr (Op == kURsqrt) return static_cast<float>(1.0 / sqrt(static_cast<double>(x)));
    // the addon's float loop: 1.f / (1.f + expf(-x)), expf taken as double exp rounded once
    if constexpr (Op == kUSigmoid) return __fdiv_rn(1.f, __fadd_rn(1.f, static_cast<float>(exp(-static_cast<double>(x)))));
    if constexpr (Op == kUSqrt) return __fsqrt_rn(x);
    if constexpr (Op == kUSquare) return __fmul_rn(x, x);
    if constexpr (Op == kUStep) return isnan(x) ? x : (x > 0.f ? 1.f : static_cast<float>(alpha));
    if constexpr (Op == kUClip) {
      const double v = x;
      return static_cast<float>(v > beta ? beta : (v < alpha ? alpha : v));
    }
    return 0.f;
  }
};

template <typename F>
__global__ void UnaryKernel(const float* __restrict__ x, float* __restrict__ out, long long n, F f) {
  for (long long i = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; i < n; i += static_cast<long long>(gridDim.x) * blockDim.x) {
    out[i] = f(x[i]);
  }
}

template <int Op>
void LaunchUnary(CudaDevice& gpu, const float* x, float* out, int64_t n, double alpha, double beta) {
  UnaryKernel<<<GridFor(n, kThreads), kThreads, 0, gpu.stream()>>>(x, out, n, UnaryF<Op>{alpha, beta});
  CheckLaunch("UnaryKernel");
}

// ---- binary ----

// Out's dims (merged where a and b broadcast alike) with a's and b's element strides along each (0: broadcast).
struct Broadcast {
  int rank = 0;
  long long size[kMaxRank] = {};
  long long aStride[kMaxRank] = {};
  long long bStride[kMaxRank] = {};
};

enum Layout { kSameLayout, kScalarA, kScalarB, kGeneral };

Broadcast MergedBroadcast(const std::vector<int64_t>& aShape, const std::vector<int64_t>& bShape, const std::vector<int64_t>& outShape) {
  const size_t rank = outShape.size();
  auto strides = [rank](const std::vector<int64_t>& shape) {
    std::vector<int64_t> s(rank, 0);
    int64_t stride = 1;
    for (size_t i = 0; i < shape.size(); ++i) {
      const size_t src = shape.size() - 1 - i, dst = rank - 1 - i;
      s[dst] = shape[src] == 1 ? 0 : stride;
      stride *= shape[src];
    }
    return s;
  };
  const std::vector<int64_t> as = strides(aShape), bs = strides(bShape);
  Broadcast g;
  for (size_t k = 0; k < rank; ++k) {
    if (outShape[k] == 1) continue;
    // dim k continues the previous (outer) dim when both operands step through it contiguously
    if (g.rank > 0 && g.aStride[g.rank - 1] == as[k] * outShape[k] && g.bStride[g.rank - 1] == bs[k] * outShape[k]) {
      g.size[g.rank - 1] *= outShape[k];
      g.aStride[g.rank - 1] = as[k];
      g.bStride[g.rank - 1] = bs[k];
      continue;
    }
    if (g.rank == kMaxRank) throw std::invalid_argument("deviceBinary: the CUDA kernel broadcasts over at most " + std::to_string(kMaxRank) + " dims");
    g.size[g.rank] = outShape[k];
    g.aStride[g.rank] = as[k];
    g.bStride[g.rank] = bs[k];
    ++g.rank;
  }
  return g;
}

Layout LayoutOf(const Broadcast& g) {
  if (g.rank == 0) return kSameLayout;  // one element
  if (g.rank == 1) {
    if (g.aStride[0] == 1 && g.bStride[0] == 1) return kSameLayout;
    if (g.aStride[0] == 0 && g.bStride[0] == 1) return kScalarA;
    if (g.aStride[0] == 1 && g.bStride[0] == 0) return kScalarB;
  }
  return kGeneral;
}

template <int L, typename Index, typename In, typename Out, typename F>
__global__ void BinaryKernel(const In* __restrict__ a, const In* __restrict__ b, Out* __restrict__ out, Index n, Broadcast g, F f) {
  for (Index i = blockIdx.x * static_cast<Index>(blockDim.x) + threadIdx.x; i < n; i += static_cast<Index>(gridDim.x) * blockDim.x) {
    if constexpr (L == kSameLayout) {
      out[i] = f(a[i], b[i]);
    } else if constexpr (L == kScalarA) {
      out[i] = f(a[0], b[i]);
    } else if constexpr (L == kScalarB) {
      out[i] = f(a[i], b[0]);
    } else {
      Index rest = i, ia = 0, ib = 0;
      for (int d = g.rank - 1; d >= 0; --d) {
        const Index size = static_cast<Index>(g.size[d]);
        const Index c = rest % size;
        rest /= size;
        ia += c * static_cast<Index>(g.aStride[d]);
        ib += c * static_cast<Index>(g.bStride[d]);
      }
      out[i] = f(a[ia], b[ib]);
    }
  }
}

template <typename In, typename Out, typename F>
void LaunchBinary(CudaDevice& gpu, const void* a, const void* b, void* out, int64_t n, const Broadcast& g, F f) {
  const In* pa = static_cast<const In*>(a);
  const In* pb = static_cast<const In*>(b);
  Out* po = static_cast<Out*>(out);
  const unsigned blocks = GridFor(n, kThreads);
  cudaStream_t s = gpu.stream();
  switch (LayoutOf(g)) {
    case kSameLayout: BinaryKernel<kSameLayout, long long><<<blocks, kThreads, 0, s>>>(pa, pb, po, n, g, f); break;
    case kScalarA: BinaryKernel<kScalarA, long long><<<blocks, kThreads, 0, s>>>(pa, pb, po, n, g, f); break;
    case kScalarB: BinaryKernel<kScalarB, long long><<<blocks, kThreads, 0, s>>>(pa, pb, po, n, g, f); break;
    default:
      // 32-bit index arithmetic when every index, and the grid-stride step past the last, fits
      // (operand sizes never exceed out's)
      if (n <= static_cast<int64_t>(INT32_MAX)) {
        BinaryKernel<kGeneral, uint32_t><<<blocks, kThreads, 0, s>>>(pa, pb, po, static_cast<uint32_t>(n), g, f);
      } else {
        BinaryKernel<kGeneral, long long><<<blocks, kThreads, 0, s>>>(pa, pb, po, n, g, f);
      }
  }
  CheckLaunch("BinaryKernel");
}

// float32 arithmetic: + - * / rounded once in float equal the twin's double result stored as float32
template <int Op>
struct FloatArithmetic {
  __device__ float operator()(float a, float b) const {
    if constexpr (Op == kBAdd) return __fadd_rn(a, b);
    if constexpr (Op == kBSub) return __fsub_rn(a, b);
    if constexpr (Op == kBMul) return __fmul_rn(a, b);
    if constexpr (Op == kBDiv) return __fdiv_rn(a, b);
    if constexpr (Op == kBMaximum) return JsMax(a, b);
    if constexpr (Op == kBPow) return static_cast<float>(JsPow(a, b));
    return 0.f;
  }
};

// int32 arithmetic as tfjs's JS: the double result stored into an Int32Array
template <int Op>
struct IntArithmetic {
  __device__ int32_t operator()(int32_t ia, int32_t ib) const {
    const double a = ia, b = ib;
    if constexpr (Op == kBAdd) return DeviceJsToInt32(a + b);
    if constexpr (Op == kBSub) return DeviceJsToInt32(a - b);
    if constexpr (Op == kBMul) return DeviceJsToInt32(a * b);
    if constexpr (Op == kBDiv) return DeviceJsToInt32(a / b);
    if constexpr (Op == kBMaximum) return DeviceJsToInt32(JsMax(a, b));
    if constexpr (Op == kBPow) return DeviceJsToInt32(JsPow(a, b));
    return 0;
  }
};

template <int Op, typename T>
struct Comparison {
  __device__ uint8_t operator()(T a, T b) const {
    if constexpr (Op == kBEqual) return a == b ? 1 : 0;
    return a < b ? 1 : 0;
  }
};

template <typename T, template <int> class Arithmetic>
void LaunchBinaryOp(CudaDevice& gpu, int op, const void* a, const void* b, void* out, int64_t n, const Broadcast& g) {
  switch (op) {
    case kBAdd: return LaunchBinary<T, T>(gpu, a, b, out, n, g, Arithmetic<kBAdd>{});
    case kBSub: return LaunchBinary<T, T>(gpu, a, b, out, n, g, Arithmetic<kBSub>{});
    case kBMul: return LaunchBinary<T, T>(gpu, a, b, out, n, g, Arithmetic<kBMul>{});
    case kBDiv: return LaunchBinary<T, T>(gpu, a, b, out, n, g, Arithmetic<kBDiv>{});
    case kBMaximum: return LaunchBinary<T, T>(gpu, a, b, out, n, g, Arithmetic<kBMaximum>{});
    case kBPow: return LaunchBinary<T, T>(gpu, a, b, out, n, g, Arithmetic<kBPow>{});
    case kBEqual: return LaunchBinary<T, uint8_t>(gpu, a, b, out, n, g, Comparison<kBEqual, T>{});
    case kBLess: return LaunchBinary<T, uint8_t>(gpu, a, b, out, n, g, Comparison<kBLess, T>{});
  }
  throw std::invalid_argument("deviceBinary: unknown op " + std::to_string(op));
}

// ---- AddN, Fill, OneHot, Cast ----

constexpr int kAddNChunk = 8;

template <typename T>
struct AddNInputs {
  const T* in[kAddNChunk];
  int count;
  // the first chunk starts from 0, later ones from the partial sums in out
  bool first;
};

__device__ inline float AddOne(float acc, float x) { return __fadd_rn(acc, x); }
// JsToInt32(acc + x) of two int32 values: their exact sum wrapped to 32 bits
__device__ inline int32_t AddOne(int32_t acc, int32_t x) {
  return static_cast<int32_t>(static_cast<uint32_t>(static_cast<long long>(acc) + x));
}

template <typename T>
__global__ void AddNKernel(T* __restrict__ out, long long n, AddNInputs<T> inputs) {
  for (long long i = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; i < n; i += static_cast<long long>(gridDim.x) * blockDim.x) {
    T acc = inputs.first ? T(0) : out[i];
    for (int k = 0; k < inputs.count; ++k) acc = AddOne(acc, inputs.in[k][i]);
    out[i] = acc;
  }
}

template <typename T>
void LaunchAddN(CudaDevice& gpu, const std::vector<const void*>& inputs, void* out, int64_t n) {
  size_t next = 0;
  do {
    AddNInputs<T> chunk{};
    chunk.first = next == 0;
    while (chunk.count < kAddNChunk && next < inputs.size()) chunk.in[chunk.count++] = static_cast<const T*>(inputs[next++]);
    AddNKernel<T><<<GridFor(n, kThreads), kThreads, 0, gpu.stream()>>>(static_cast<T*>(out), n, chunk);
    CheckLaunch("AddNKernel");
  } while (next < inputs.size());
}

__global__ void Fill32Kernel(uint32_t* __restrict__ out, long long n, uint32_t bits) {
  for (long long i = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; i < n; i += static_cast<long long>(gridDim.x) * blockDim.x) {
    out[i] = bits;
  }
}

__global__ void OneHotKernel(const int32_t* __restrict__ indices, uint32_t* __restrict__ out, long long n, long long depth, uint32_t on, uint32_t off) {
  for (long long e = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; e < n; e += static_cast<long long>(gridDim.x) * blockDim.x) {
    out[e] = indices[e / depth] == e % depth ? on : off;
  }
}

template <typename To, typename From>
__device__ inline To Convert(From x) {
  if constexpr (std::is_same<To, uint8_t>::value) {
    return x != 0 ? 1 : 0;  // x !== 0: NaN is true
  } else if constexpr (std::is_same<To, int32_t>::value) {
    return DeviceJsToInt32(static_cast<double>(x));
  } else {
    return static_cast<float>(x);
  }
}

template <typename From, typename To>
__global__ void CastKernel(const From* __restrict__ x, To* __restrict__ out, long long n) {
  for (long long i = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; i < n; i += static_cast<long long>(gridDim.x) * blockDim.x) {
    out[i] = Convert<To>(x[i]);
  }
}

template <typename From>
void LaunchCast(CudaDevice& gpu, const void* x, int to, void* out, int64_t n) {
  const From* in = static_cast<const From*>(x);
  const unsigned blocks = GridFor(n, kThreads);
  switch (to) {
    case kFloat32: CastKernel<<<blocks, kThreads, 0, gpu.stream()>>>(in, static_cast<float*>(out), n); break;
    case kInt32: CastKernel<<<blocks, kThreads, 0, gpu.stream()>>>(in, static_cast<int32_t*>(out), n); break;
    case kBool: CastKernel<<<blocks, kThreads, 0, gpu.stream()>>>(in, static_cast<uint8_t*>(out), n); break;
    default: throw std::invalid_argument("deviceCast: unknown dtype " + std::to_string(to));
  }
  CheckLaunch("CastKernel");
}

template <typename T>
uint32_t BitsOf(T value) {
  static_assert(sizeof(T) == 4, "4-byte values");
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  return bits;
}

}  // namespace

void Unary(CudaDevice& gpu, int op, const void* xp, void* outp, int64_t n, double alpha, double beta) {
  if (n == 0) return;
  gpu.MakeCurrent();
  const float* x = static_cast<const float*>(xp);
  float* out = static_cast<float*>(outp);
  switch (op) {
    case kUAbs: return LaunchUnary<kUAbs>(gpu, x, out, n, alpha, beta);
    case kUExp: return LaunchUnary<kUExp>(gpu, x, out, n, alpha, beta);
    case kUFloor: return LaunchUnary<kUFloor>(gpu, x, out, n, alpha, beta);
    case kULog: return LaunchUnary<kULog>(gpu, x, out, n, alpha, beta);
    case kUNeg: return LaunchUnary<kUNeg>(gpu, x, out, n, alpha, beta);
    case kURelu: return LaunchUnary<kURelu>(gpu, x, out, n, alpha, beta);
    case kURsqrt: return LaunchUnary<kURsqrt>(gpu, x, out, n, alpha, beta);
    case kUSigmoid: return LaunchUnary<kUSigmoid>(gpu, x, out, n, alpha, beta);
    case kUSqrt: return LaunchUnary<kUSqrt>(gpu, x, out, n, alpha, beta);
    case kUSquare: return LaunchUnary<kUSquare>(gpu, x, out, n, alpha, beta);
    case kUStep: return LaunchUnary<kUStep>(gpu, x, out, n, alpha, beta);
    case kUClip: return LaunchUnary<kUClip>(gpu, x, out, n, alpha, beta);
  }
  throw std::invalid_argument("deviceUnary: unknown op " + std::to_string(op));
}

void Binary(CudaDevice& gpu, int op, int dtype, const void* a, const std::vector<int64_t>& aShape, const void* b,
            const std::vector<int64_t>& bShape, void* out, const std::vector<int64_t>& outShape) {
  const int64_t n = ShapeSize(outShape);
  if (n == 0) return;
  gpu.MakeCurrent();
  const Broadcast g = MergedBroadcast(aShape, bShape, outShape);
  if (dtype == kFloat32) return LaunchBinaryOp<float, FloatArithmetic>(gpu, op, a, b, out, n, g);
  if (dtype == kInt32) return LaunchBinaryOp<int32_t, IntArithmetic>(gpu, op, a, b, out, n, g);
  throw std::invalid_argument("deviceBinary: dtype must be float32 or int32");
}

void AddN(CudaDevice& gpu, int dtype, const std::vector<const void*>& inputs, void* out, int64_t n) {
  if (n == 0) return;
  gpu.MakeCurrent();
  if (dtype == kFloat32) return LaunchAddN<float>(gpu, inputs, out, n);
  if (dtype == kInt32) return LaunchAddN<int32_t>(gpu, inputs, out, n);
  throw std::invalid_argument("deviceAddN: dtype must be float32 or int32");
}

void Fill(CudaDevice& gpu, int dtype, void* out, int64_t n, double value) {
  if (n == 0) return;
  gpu.MakeCurrent();
  if (dtype == kBool) {
    CheckCuda(cudaMemsetAsync(out, JsToUint8(value), static_cast<size_t>(n), gpu.stream()), "cudaMemsetAsync (deviceFill)");
    return;
  }
  if (dtype != kFloat32 && dtype != kInt32) throw std::invalid_argument("deviceFill: unknown dtype " + std::to_string(dtype));
  const uint32_t bits = dtype == kFloat32 ? BitsOf(static_cast<float>(value)) : BitsOf(JsToInt32(value));
  Fill32Kernel<<<GridFor(n, kThreads), kThreads, 0, gpu.stream()>>>(static_cast<uint32_t*>(out), n, bits);
  CheckLaunch("Fill32Kernel");
}

void OneHot(CudaDevice& gpu, const void* indices, int64_t size, int64_t depth, double onValue, double offValue, int dtype, void* out) {
  const int64_t n = size * depth;
  if (n == 0) return;
  gpu.MakeCurrent();
  // the twin's values: float32, converted to int32 for an int32 result
  const float on = static_cast<float>(onValue), off = static_cast<float>(offValue);
  const uint32_t onBits = dtype == kInt32 ? BitsOf(JsToInt32(on)) : BitsOf(on);
  const uint32_t offBits = dtype == kInt32 ? BitsOf(JsToInt32(off)) : BitsOf(off);
  OneHotKernel<<<GridFor(n, kThreads), kThreads, 0, gpu.stream()>>>(static_cast<const int32_t*>(indices), static_cast<uint32_t*>(out), n, depth,
                                                                   onBits, offBits);
  CheckLaunch("OneHotKernel");
}

void Cast(CudaDevice& gpu, int from, const void* x, int to, void* out, int64_t n) {
  if (n == 0) return;
  gpu.MakeCurrent();
  switch (from) {
    case kFloat32: return LaunchCast<float>(gpu, x, to, out, n);
    case kInt32: return LaunchCast<int32_t>(gpu, x, to, out, n);
    case kBool: return LaunchCast<uint8_t>(gpu, x, to, out, n);
  }
  throw std::invalid_argument("deviceCast: unknown dtype " + std::to_string(from));
}

}  // namespace mnf::device::cuda
