// Element-wise and reduction kernels over float32 activations, parallel with OpenMP. Only the
// layouts a network's hot path needs are covered (see src/backend/native/kernels/); the JS side
// falls back to tfjs's cpu kernels for anything else.
#include "kernels/elementwise.h"

#include <omp.h>

#include <cmath>
#include <string>
#include <vector>

#include "common/napi_args.h"

namespace mnf::kernels {
namespace {

// Codes shared with src/native/kernels.ts.
enum BinaryOp { kAdd = 0, kSub = 1, kMul = 2, kDiv = 3, kSquaredDifference = 4 };
// How b lines up with a (out has the larger shape):
//   same: equal sizes; scalarB / scalarA: one side has one element;
//   rowB / rowA: one side is a vector repeated along the last axis of the other.
enum Broadcast { kSame = 0, kScalarB = 1, kScalarA = 2, kRowB = 3, kRowA = 4 };
enum UnaryOp { kRelu = 0, kStep = 1, kSigmoid = 2, kNeg = 3, kSquare = 4 };
enum ReduceOp { kSum = 0, kMean = 1 };

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

// binary(op, broadcast, a, b, out, rowLength)
Napi::Value Binary(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int64_t op = ExpectInt(Arg(info, 0, "op"), "op");
  const int64_t mode = ExpectInt(Arg(info, 1, "broadcast"), "broadcast");
  auto a = ExpectF32(Arg(info, 2, "a"), "a");
  auto b = ExpectF32(Arg(info, 3, "b"), "b");
  auto out = ExpectF32(Arg(info, 4, "out"), "out");
  const int64_t row = ExpectInt(Arg(info, 5, "rowLength"), "rowLength");
  if (op < kAdd || op > kSquaredDifference) ThrowRange(env, "op: expected a binary op code 0..4, got " + std::to_string(op));
  const int64_t n = static_cast<int64_t>(out.ElementLength());
  const int64_t na = static_cast<int64_t>(a.ElementLength()), nb = static_cast<int64_t>(b.ElementLength());
  auto need = [&](const char* what, int64_t got, int64_t want) {
    if (got != want) {
      ThrowRange(env, std::string("binary: ") + what + " has " + std::to_string(got) + " elements, expected " +
                          std::to_string(want) + " for broadcast mode " + std::to_string(mode));
    }
  };
  switch (mode) {
    case kSame: need("a", na, n), need("b", nb, n); break;
    case kScalarB: need("a", na, n), need("b", nb, 1); break;
    case kScalarA: need("a", na, 1), need("b", nb, n); break;
    case kRowB:
    case kRowA:
      if (row < 1 || n % row != 0) ThrowRange(env, "rowLength: expected a divisor of " + std::to_string(n) + ", got " + std::to_string(row));
      need("a", na, mode == kRowB ? n : row), need("b", nb, mode == kRowB ? row : n);
      break;
    default: ThrowRange(env, "broadcast: expected a mode 0..4, got " + std::to_string(mode));
  }
  const float* pa = a.Data();
  const float* pb = b.Data();
  float* po = out.Data();
  Apply(static_cast<int>(op), [&](auto f) {
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
  return env.Undefined();
}

// unary(op, x, out, alpha): alpha is Step's value for x <= 0.
Napi::Value Unary(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int64_t op = ExpectInt(Arg(info, 0, "op"), "op");
  auto x = ExpectF32(Arg(info, 1, "x"), "x");
  auto out = ExpectF32(Arg(info, 2, "out"), "out");
  const float alpha = static_cast<float>(ExpectNumber(Arg(info, 3, "alpha"), "alpha"));
  if (x.ElementLength() != out.ElementLength()) {
    ThrowRange(env, "unary: out has " + std::to_string(out.ElementLength()) + " elements, x has " + std::to_string(x.ElementLength()));
  }
  const int64_t n = static_cast<int64_t>(x.ElementLength());
  const float* px = x.Data();
  float* po = out.Data();
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
    default: ThrowRange(env, "op: expected a unary op code 0..4, got " + std::to_string(op));
  }
  return env.Undefined();
}

// reduce(op, x, out, outer, length, inner): x viewed as [outer, length, inner] is reduced over
// its middle axis into out [outer, inner]. Sums accumulate in double (as tfjs's JS loops do).
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int64_t op = ExpectInt(Arg(info, 0, "op"), "op");
  auto x = ExpectF32(Arg(info, 1, "x"), "x");
  auto out = ExpectF32(Arg(info, 2, "out"), "out");
  const int64_t outer = ExpectInt(Arg(info, 3, "outer"), "outer");
  const int64_t length = ExpectInt(Arg(info, 4, "length"), "length");
  const int64_t inner = ExpectInt(Arg(info, 5, "inner"), "inner");
  if (op != kSum && op != kMean) ThrowRange(env, "op: expected a reduce op code 0..1, got " + std::to_string(op));
  if (outer < 1 || length < 1 || inner < 1) ThrowRange(env, "reduce: outer, length and inner must be >= 1");
  ExpectElements(x, {outer, length, inner}, "x");
  ExpectElements(out, {outer, inner}, "out");
  const float* px = x.Data();
  float* po = out.Data();
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
    return env.Undefined();
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
    return env.Undefined();
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
  return env.Undefined();
}

}  // namespace

void RegisterElementwise(Napi::Env env, Napi::Object exports) {
  exports.Set("binary", Napi::Function::New(env, Binary, "binary"));
  exports.Set("unary", Napi::Function::New(env, Unary, "unary"));
  exports.Set("reduce", Napi::Function::New(env, Reduce, "reduce"));
}

}  // namespace mnf::kernels
