#include "device/ops_reduce.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <type_traits>

#include "device/ops_host.h"
#include "kernels/elementwise_cpu.h"

#ifdef MNF_WITH_CUDA
#include "device/cuda/reduce.h"
#include "device/cuda_device.h"
#endif

namespace mnf::device {
namespace {

// Offsets into x of every element of one reduction (reduced axes row-major, in `axes` order) and of
// the first element of every output (kept axes row-major).
struct ReduceLayout {
  std::vector<int64_t> reduceOffsets;
  std::vector<int64_t> outOffsets;
};

std::vector<int64_t> Offsets(const Shape& xShape, const std::vector<int64_t>& strides, const std::vector<int64_t>& dims) {
  std::vector<int64_t> offsets{0};
  for (int64_t dim : dims) {
    std::vector<int64_t> next;
    next.reserve(offsets.size() * xShape[dim]);
    for (int64_t base : offsets)
      for (int64_t i = 0; i < xShape[dim]; ++i) next.push_back(base + i * strides[dim]);
    offsets.swap(next);
  }
  return offsets;
}

ReduceLayout Layout(const Shape& xShape, const std::vector<int64_t>& axes) {
  const int64_t rank = static_cast<int64_t>(xShape.size());
  std::vector<int64_t> strides(rank, 1);
  for (int64_t i = rank - 2; i >= 0; --i) strides[i] = strides[i + 1] * xShape[i + 1];
  std::vector<int64_t> kept;
  for (int64_t i = 0; i < rank; ++i)
    if (std::find(axes.begin(), axes.end(), i) == axes.end()) kept.push_back(i);
  return {Offsets(xShape, strides, axes), Offsets(xShape, strides, kept)};
}

// The addon's case: float32 Sum/Mean over sorted, consecutive axes of a non-empty tensor of rank >= 1.
bool AddonReduces(int op, int dtype, const Shape& xShape, const std::vector<int64_t>& axes, int64_t* outer, int64_t* length,
                  int64_t* inner) {
  if ((op != kRSum && op != kRMean) || dtype != kFloat32 || xShape.empty() || axes.empty() || ShapeSize(xShape) == 0) return false;
  std::vector<int64_t> sorted = axes;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 1; i < sorted.size(); ++i)
    if (sorted[i] != sorted[i - 1] + 1) return false;
  *outer = 1, *length = 1, *inner = 1;
  for (int64_t i = 0; i < static_cast<int64_t>(xShape.size()); ++i) {
    int64_t& part = i < sorted.front() ? *outer : (i <= sorted.back() ? *length : *inner);
    part *= xShape[i];
  }
  return true;
}

template <typename T, typename Out>
void Reduce(int op, const T* x, const ReduceLayout& layout, Out* out) {
  const std::vector<int64_t>& r = layout.reduceOffsets;
  const int64_t reduceSize = static_cast<int64_t>(r.size());
  const float count = static_cast<float>(reduceSize);
  for (size_t o = 0; o < layout.outOffsets.size(); ++o) {
    const T* base = x + layout.outOffsets[o];
    switch (op) {
      case kRSum: {
        double s = 0;
        for (int64_t j = 0; j < reduceSize; ++j) s += base[r[j]];
        out[o] = static_cast<Out>(s);
        break;
      }
      case kRMean: {
        double s = 0;
        for (int64_t j = 0; j < reduceSize; ++j) s += static_cast<float>(base[r[j]] / count);
        out[o] = static_cast<Out>(s);
        break;
      }
      case kRMax: {
        // an empty reduction reads past the end in JS: undefined, stored as NaN (float32) or 0 (int32)
        const double empty = std::is_floating_point<Out>::value ? std::numeric_limits<double>::quiet_NaN() : 0.0;
        double m = reduceSize > 0 ? static_cast<double>(base[r[0]]) : empty;
        for (int64_t j = 0; j < reduceSize; ++j) {
          const double v = base[r[j]];
          if (std::isnan(v) || v > m) m = v;
        }
        out[o] = static_cast<Out>(m);
        break;
      }
      case kRArgMax: {
        double m = reduceSize > 0 ? static_cast<double>(base[r[0]]) : 0;
        int32_t index = 0;
        for (int64_t j = 0; j < reduceSize; ++j) {
          if (base[r[j]] > m) m = base[r[j]], index = static_cast<int32_t>(j);
        }
        out[o] = static_cast<Out>(index);
        break;
      }
    }
  }
}

}  // namespace

void ReduceOp(Device& d, int op, int dtype, const void* x, const Shape& xShape, const std::vector<int64_t>& axes, void* out) {
  int64_t outer = 0, length = 0, inner = 0;
  const bool addon = AddonReduces(op, dtype, xShape, axes, &outer, &length, &inner);
#ifdef MNF_WITH_CUDA
  if (CudaDevice* gpu = AsCudaDevice(d)) return cuda::Reduce(*gpu, op, dtype, x, xShape, axes, out, !addon);
#endif
  RequireHostMemory(d, "deviceReduce");
  if (addon) {
    kernels::ReduceF32(op == kRSum ? kernels::kSum : kernels::kMean, static_cast<const float*>(x), static_cast<float*>(out), outer,
                       length, inner);
    return;
  }
  const ReduceLayout layout = Layout(xShape, axes);
  if (dtype == kFloat32) {
    const float* xf = static_cast<const float*>(x);
    if (op == kRArgMax) {
      Reduce(op, xf, layout, static_cast<int32_t*>(out));
    } else {
      Reduce(op, xf, layout, static_cast<float*>(out));
    }
    return;
  }
  if (dtype != kInt32 || op == kRMean) throw std::invalid_argument("deviceReduce: int32 Mean, or a dtype other than float32/int32");
  const int32_t* xi = static_cast<const int32_t*>(x);
  if (op == kRSum) {
    // tfjs stores the double sum into an Int32Array
    std::vector<double> sums(layout.outOffsets.size());
    Reduce(op, xi, layout, sums.data());
    int32_t* o = static_cast<int32_t*>(out);
    for (size_t i = 0; i < sums.size(); ++i) o[i] = JsToInt32(sums[i]);
    return;
  }
  Reduce(op, xi, layout, static_cast<int32_t*>(out));
}

void SoftmaxOp(Device& d, const void* xp, void* outp, int64_t rows, int64_t cols) {
#ifdef MNF_WITH_CUDA
  if (CudaDevice* gpu = AsCudaDevice(d)) return cuda::Softmax(*gpu, xp, outp, rows, cols);
#endif
  RequireHostMemory(d, "deviceSoftmax");
  const float* x = static_cast<const float*>(xp);
  float* out = static_cast<float*>(outp);
  if (cols == 0) return;
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = x + r * cols;
    float* o = out + r * cols;
    float m = row[0];
    for (int64_t c = 0; c < cols; ++c)
      if (std::isnan(row[c]) || row[c] > m) m = row[c];
    double sum = 0;
    for (int64_t c = 0; c < cols; ++c) {
      const float shifted = row[c] - m;
      o[c] = static_cast<float>(std::exp(static_cast<double>(shifted)));
      sum += o[c];
    }
    const float total = static_cast<float>(sum);
    for (int64_t c = 0; c < cols; ++c) o[c] = o[c] / total;
  }
}

}  // namespace mnf::device
