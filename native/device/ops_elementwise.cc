#include "device/ops_elementwise.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "device/ops_host.h"
#include "kernels/elementwise_cpu.h"

#ifdef MNF_WITH_CUDA
#include "device/cuda/elementwise.h"
#include "device/cuda_device.h"
#endif

namespace mnf::device {
namespace {

// JavaScript's Math.max: NaN if either is NaN, +0 over -0.
inline double JsMax(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<double>::quiet_NaN();
  if (a == b) return std::signbit(a) ? b : a;
  return a > b ? a : b;
}

// JavaScript's Math.pow: unlike C's pow, (±1) ** (±Infinity | NaN) is NaN.
inline double JsPow(double a, double b) {
  if (std::fabs(a) == 1.0 && !std::isfinite(b)) return std::numeric_limits<double>::quiet_NaN();
  return std::pow(a, b);
}

inline double ApplyBinary(int op, double a, double b) {
  switch (op) {
    case kBAdd: return a + b;
    case kBSub: return a - b;
    case kBMul: return a * b;
    case kBDiv: return a / b;
    case kBMaximum: return JsMax(a, b);
    case kBPow: return JsPow(a, b);
    case kBEqual: return a == b ? 1 : 0;
    case kBLess: return a < b ? 1 : 0;
  }
  return 0;
}

// Strides of `shape` left-padded to `rank`, 0 along broadcast (size 1) dims.
std::vector<int64_t> BroadcastStrides(const Shape& shape, size_t rank) {
  std::vector<int64_t> strides(rank, 0);
  int64_t stride = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    const size_t src = shape.size() - 1 - i;
    const size_t dst = rank - 1 - i;
    strides[dst] = shape[src] == 1 ? 0 : stride;
    stride *= shape[src];
  }
  return strides;
}

// Calls f(outIndex, aIndex, bIndex) for every element of out, in order.
template <typename F>
void ForEachBroadcast(const Shape& aShape, const Shape& bShape, const Shape& outShape, F&& f) {
  const size_t rank = outShape.size();
  const int64_t n = ShapeSize(outShape);
  if (n == 0) return;
  const std::vector<int64_t> as = BroadcastStrides(aShape, rank), bs = BroadcastStrides(bShape, rank);
  std::vector<int64_t> loc(rank, 0);
  int64_t ia = 0, ib = 0;
  for (int64_t i = 0; i < n; ++i) {
    f(i, ia, ib);
    for (size_t k = rank; k-- > 0;) {
      if (++loc[k] < outShape[k]) {
        ia += as[k], ib += bs[k];
        break;
      }
      ia -= as[k] * (outShape[k] - 1), ib -= bs[k] * (outShape[k] - 1);
      loc[k] = 0;
    }
  }
}

// The addon's fast layouts (src/backend/native/kernels/binary_util.ts's broadcastMode), or -1.
int FastMode(const Shape& aShape, const Shape& bShape, const Shape& outShape) {
  const int64_t n = ShapeSize(outShape), na = ShapeSize(aShape), nb = ShapeSize(bShape);
  auto lastAxisRow = [&](const Shape& small) {
    if (small.empty() || outShape.empty() || small.back() != outShape.back()) return false;
    for (size_t i = 0; i + 1 < small.size(); ++i)
      if (small[i] != 1) return false;
    return true;
  };
  if (na == n && nb == n) return kernels::kSame;
  if (na == n && nb == 1) return kernels::kScalarB;
  if (na == 1 && nb == n) return kernels::kScalarA;
  if (na == n && lastAxisRow(bShape)) return kernels::kRowB;
  if (nb == n && lastAxisRow(aShape)) return kernels::kRowA;
  return -1;
}

int AddonBinaryOp(int op) {
  switch (op) {
    case kBAdd: return kernels::kAdd;
    case kBSub: return kernels::kSub;
    case kBMul: return kernels::kMul;
    case kBDiv: return kernels::kDiv;
  }
  return -1;
}

}  // namespace

void UnaryOp(Device& d, int op, const void* xp, void* outp, int64_t n, double alpha, double beta) {
#ifdef MNF_WITH_CUDA
  if (CudaDevice* gpu = AsCudaDevice(d)) return cuda::Unary(*gpu, op, xp, outp, n, alpha, beta);
#endif
  RequireHostMemory(d, "deviceUnary");
  const float* x = static_cast<const float*>(xp);
  float* out = static_cast<float*>(outp);
  const float a = static_cast<float>(alpha);
  switch (op) {
    // backend 'native' runs these five in the addon
    case kUNeg: kernels::UnaryF32(kernels::kNeg, x, out, n, a); return;
    case kURelu: kernels::UnaryF32(kernels::kRelu, x, out, n, a); return;
    case kUSigmoid: kernels::UnaryF32(kernels::kSigmoid, x, out, n, a); return;
    case kUSquare: kernels::UnaryF32(kernels::kSquare, x, out, n, a); return;
    case kUStep: kernels::UnaryF32(kernels::kStep, x, out, n, a); return;
    // and these in tfjs-cpu's JS: Math.* in double, stored as float32
    case kUAbs: for (int64_t i = 0; i < n; ++i) out[i] = static_cast<float>(std::fabs(static_cast<double>(x[i]))); return;
    case kUExp: for (int64_t i = 0; i < n; ++i) out[i] = static_cast<float>(std::exp(static_cast<double>(x[i]))); return;
    case kUFloor: for (int64_t i = 0; i < n; ++i) out[i] = static_cast<float>(std::floor(static_cast<double>(x[i]))); return;
    case kULog: for (int64_t i = 0; i < n; ++i) out[i] = static_cast<float>(std::log(static_cast<double>(x[i]))); return;
    case kURsqrt: for (int64_t i = 0; i < n; ++i) out[i] = static_cast<float>(1.0 / std::sqrt(static_cast<double>(x[i]))); return;
    case kUSqrt: for (int64_t i = 0; i < n; ++i) out[i] = static_cast<float>(std::sqrt(static_cast<double>(x[i]))); return;
    case kUClip:
      for (int64_t i = 0; i < n; ++i) {
        const double v = x[i];
        out[i] = static_cast<float>(v > beta ? beta : (v < alpha ? alpha : v));
      }
      return;
  }
  throw std::invalid_argument("deviceUnary: unknown op " + std::to_string(op));
}

void BinaryOp(Device& d, int op, int dtype, const void* ap, const Shape& aShape, const void* bp, const Shape& bShape, void* outp,
              const Shape& outShape) {
#ifdef MNF_WITH_CUDA
  if (CudaDevice* gpu = AsCudaDevice(d)) return cuda::Binary(*gpu, op, dtype, ap, aShape, bp, bShape, outp, outShape);
#endif
  RequireHostMemory(d, "deviceBinary");
  const bool toBool = IsComparison(op);
  if (dtype == kFloat32) {
    const float* a = static_cast<const float*>(ap);
    const float* b = static_cast<const float*>(bp);
    const int mode = FastMode(aShape, bShape, outShape);
    const int addonOp = AddonBinaryOp(op);
    const int64_t n = ShapeSize(outShape);
    if (addonOp >= 0 && mode >= 0 && n > 0) {
      // float32 + - * / give the same value in the addon and in tfjs-cpu (double, then rounded)
      kernels::BinaryF32(addonOp, mode, a, b, static_cast<float*>(outp), n, outShape.empty() ? 1 : outShape.back());
      return;
    }
    if (toBool) {
      uint8_t* out = static_cast<uint8_t*>(outp);
      ForEachBroadcast(aShape, bShape, outShape, [&](int64_t i, int64_t ia, int64_t ib) {
        out[i] = static_cast<uint8_t>(ApplyBinary(op, a[ia], b[ib]));
      });
    } else {
      float* out = static_cast<float*>(outp);
      ForEachBroadcast(aShape, bShape, outShape, [&](int64_t i, int64_t ia, int64_t ib) {
        out[i] = static_cast<float>(ApplyBinary(op, a[ia], b[ib]));
      });
    }
    return;
  }
  if (dtype != kInt32) throw std::invalid_argument("deviceBinary: dtype must be float32 or int32");
  const int32_t* a = static_cast<const int32_t*>(ap);
  const int32_t* b = static_cast<const int32_t*>(bp);
  if (toBool) {
    uint8_t* out = static_cast<uint8_t*>(outp);
    ForEachBroadcast(aShape, bShape, outShape, [&](int64_t i, int64_t ia, int64_t ib) {
      out[i] = static_cast<uint8_t>(ApplyBinary(op, a[ia], b[ib]));
    });
  } else {
    int32_t* out = static_cast<int32_t*>(outp);
    ForEachBroadcast(aShape, bShape, outShape, [&](int64_t i, int64_t ia, int64_t ib) {
      out[i] = JsToInt32(ApplyBinary(op, a[ia], b[ib]));
    });
  }
}

void AddNOp(Device& d, int dtype, const std::vector<const void*>& inputs, void* outp, int64_t n) {
#ifdef MNF_WITH_CUDA
  if (CudaDevice* gpu = AsCudaDevice(d)) return cuda::AddN(*gpu, dtype, inputs, outp, n);
#endif
  RequireHostMemory(d, "deviceAddN");
  if (dtype == kFloat32) {
    float* out = static_cast<float*>(outp);
    std::fill(out, out + n, 0.f);
    for (const void* in : inputs) {
      const float* x = static_cast<const float*>(in);
      for (int64_t j = 0; j < n; ++j) out[j] += x[j];
    }
    return;
  }
  int32_t* out = static_cast<int32_t*>(outp);
  std::fill(out, out + n, 0);
  for (const void* in : inputs) {
    const int32_t* x = static_cast<const int32_t*>(in);
    for (int64_t j = 0; j < n; ++j) out[j] = JsToInt32(static_cast<double>(out[j]) + x[j]);
  }
}

void FillOp(Device& d, int dtype, void* outp, int64_t n, double value) {
#ifdef MNF_WITH_CUDA
  if (CudaDevice* gpu = AsCudaDevice(d)) return cuda::Fill(*gpu, dtype, outp, n, value);
#endif
  RequireHostMemory(d, "deviceFill");
  switch (dtype) {
    case kFloat32: std::fill(static_cast<float*>(outp), static_cast<float*>(outp) + n, static_cast<float>(value)); return;
    case kInt32: std::fill(static_cast<int32_t*>(outp), static_cast<int32_t*>(outp) + n, JsToInt32(value)); return;
    case kBool: std::fill(static_cast<uint8_t*>(outp), static_cast<uint8_t*>(outp) + n, JsToUint8(value)); return;
  }
}

void OneHotOp(Device& d, const void* indicesp, int64_t size, int64_t depth, double onValue, double offValue, int dtype, void* outp) {
#ifdef MNF_WITH_CUDA
  if (CudaDevice* gpu = AsCudaDevice(d)) return cuda::OneHot(*gpu, indicesp, size, depth, onValue, offValue, dtype, outp);
#endif
  RequireHostMemory(d, "deviceOneHot");
  const int32_t* indices = static_cast<const int32_t*>(indicesp);
  // tfjs-cpu writes a Float32Array whatever the dtype; an int32 result holds those floats converted
  const float on = static_cast<float>(onValue), off = static_cast<float>(offValue);
  auto write = [&](auto* out, auto convert) {
    std::fill(out, out + size * depth, convert(off));
    for (int64_t i = 0; i < size; ++i) {
      if (indices[i] >= 0 && indices[i] < depth) out[i * depth + indices[i]] = convert(on);
    }
  };
  if (dtype == kInt32) {
    write(static_cast<int32_t*>(outp), [](float v) { return JsToInt32(v); });
  } else {
    write(static_cast<float*>(outp), [](float v) { return v; });
  }
}

void CastOp(Device& d, int from, const void* xp, int to, void* outp, int64_t n) {
#ifdef MNF_WITH_CUDA
  if (CudaDevice* gpu = AsCudaDevice(d)) return cuda::Cast(*gpu, from, xp, to, outp, n);
#endif
  RequireHostMemory(d, "deviceCast");
  auto run = [&](auto* x) {
    switch (to) {
      case kFloat32: {
        float* out = static_cast<float*>(outp);
        for (int64_t i = 0; i < n; ++i) out[i] = static_cast<float>(x[i]);
        return;
      }
      case kInt32: {
        int32_t* out = static_cast<int32_t*>(outp);
        for (int64_t i = 0; i < n; ++i) out[i] = JsToInt32(static_cast<double>(x[i]));
        return;
      }
      case kBool: {
        // x !== 0: NaN is true
        uint8_t* out = static_cast<uint8_t*>(outp);
        for (int64_t i = 0; i < n; ++i) out[i] = x[i] != 0 ? 1 : 0;
        return;
      }
    }
  };
  switch (from) {
    case kFloat32: run(static_cast<const float*>(xp)); return;
    case kInt32: run(static_cast<const int32_t*>(xp)); return;
    case kBool: run(static_cast<const uint8_t*>(xp)); return;
  }
}

}  // namespace mnf::device
