#include "kernels/elementwise_cpu.h"

#include <omp.h>

#include <cmath>
#include <vector>

namespace mnf::kernels {
namespace {

// Below this many elements (8 MB of floats) a loop runs on the calling thread: these loops are
// memory-bound, a second thread gained nothing at 1M elements and ~12% at 4M here, and waking the
// OpenMP team costs milliseconds when the cores are busy.
constexpr int64_t kParallelMin = 1 << 21;

template <typename F>
void Apply(int op, F&& loop) {
  switch (op) {
    case kAdd: loop([](float x, float y) { return x + y; }); break;
    case kSub: loop([](float x, float y) { return x - y; }); break;
    case kMul: loop([](float x, float y) { return x * y; }); break;
    case kDiv: loop([](float x, float y) { return x / y; }); break;
    case kSquaredDifference: loop([](float x, float y) { return (x - y) * (x - y); }); break;
  }
}

}  // namespace

void BinaryF32(int op, int mode, const float* pa, const float* pb, float* po, int64_t n, int64_t row) {
  Apply(op, [&](auto f) {
    switch (mode) {
      case kSame:
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
        for (int64_t i = 0; i < n; ++i) po[i] = f(pa[i], pb[i]);
        break;
      case kScalarB: {
        const float s = pb[0];
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
        for (int64_t i = 0; i < n; ++i) po[i] = f(pa[i], s);
        break;
      }
      case kScalarA: {
        const float s = pa[0];
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
        for (int64_t i = 0; i < n; ++i) po[i] = f(s, pb[i]);
        break;
      }
      case kRowB: {
        const int64_t rows = n / row;
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
        for (int64_t r = 0; r < rows; ++r) {
          const float* x = pa + r * row;
          float* o = po + r * row;
          for (int64_t c = 0; c < row; ++c) o[c] = f(x[c], pb[c]);
        }
        break;
      }
      case kRowA: {
        const int64_t rows = n / row;
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
        for (int64_t r = 0; r < rows; ++r) {
          const float* y = pb + r * row;
          float* o = po + r * row;
          for (int64_t c = 0; c < row; ++c) o[c] = f(pa[c], y[c]);
        }
        break;
      }
    }
  });
}

void UnaryF32(int op, const float* px, float* po, int64_t n, float alpha) {
  switch (op) {
    case kRelu:
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
      for (int64_t i = 0; i < n; ++i) po[i] = px[i] < 0.f ? 0.f : px[i];
      break;
    case kStep:
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
      for (int64_t i = 0; i < n; ++i) po[i] = std::isnan(px[i]) ? px[i] : (px[i] > 0.f ? 1.f : alpha);
      break;
    case kSigmoid:
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
      for (int64_t i = 0; i < n; ++i) po[i] = 1.f / (1.f + std::exp(-px[i]));
      break;
    case kNeg:
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
      for (int64_t i = 0; i < n; ++i) po[i] = -px[i];
      break;
    case kSquare:
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
      for (int64_t i = 0; i < n; ++i) po[i] = px[i] * px[i];
      break;
  }
}

void ReduceF32(int op, const float* px, float* po, int64_t outer, int64_t length, int64_t inner) {
  const double scale = op == kMean ? 1.0 / static_cast<double>(length) : 1.0;
  const bool parallel = outer * length * inner >= kParallelMin;
  if (inner == 1) {
#pragma omp parallel for schedule(static) if (parallel)
    for (int64_t o = 0; o < outer; ++o) {
      const float* row = px + o * length;
      double s = 0;
      for (int64_t r = 0; r < length; ++r) s += row[r];
      po[o] = static_cast<float>(s * scale);
    }
    return;
  }
  if (!parallel || outer >= omp_get_max_threads() || outer * inner >= 4096) {
#pragma omp parallel for schedule(static) if (parallel)
    for (int64_t o = 0; o < outer; ++o) {
      std::vector<double> acc(inner, 0.0);
      const float* block = px + o * length * inner;
      for (int64_t r = 0; r < length; ++r) {
        const float* row = block + r * inner;
        for (int64_t c = 0; c < inner; ++c) acc[c] += row[c];
      }
      for (int64_t c = 0; c < inner; ++c) po[o * inner + c] = static_cast<float>(acc[c] * scale);
    }
    return;
  }
  // Few outputs, long reduction (per-channel sums over N·D·H·W): each thread sums a slice of the
  // reduced axis into its own accumulator, then the partials are added.
  const int threads = omp_get_max_threads();
  std::vector<double> partial(static_cast<size_t>(threads) * outer * inner, 0.0);
#pragma omp parallel num_threads(threads)
  {
    const int t = omp_get_thread_num();
    double* acc = partial.data() + static_cast<size_t>(t) * outer * inner;
    for (int64_t o = 0; o < outer; ++o) {
      const float* block = px + o * length * inner;
      double* a = acc + o * inner;
#pragma omp for schedule(static)
      for (int64_t r = 0; r < length; ++r) {
        const float* row = block + r * inner;
        for (int64_t c = 0; c < inner; ++c) a[c] += row[c];
      }
    }
  }
  for (int64_t i = 0; i < outer * inner; ++i) {
    double s = 0;
    for (int t = 0; t < threads; ++t) s += partial[static_cast<size_t>(t) * outer * inner + i];
    po[i] = static_cast<float>(s * scale);
  }
}

}  // namespace mnf::kernels
