// Element-wise and reduction kernels over float32 activations, parallel with OpenMP (the loops are
// in elementwise_cpu.cc). Only the layouts a network's hot path needs are covered (see
// src/backend/native/kernels/); the JS side falls back to tfjs's cpu kernels for anything else.
#include "kernels/elementwise.h"

#include <string>

#include "common/napi_args.h"
#include "kernels/elementwise_cpu.h"

namespace mnf::kernels {
namespace {

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
  BinaryF32(static_cast<int>(op), static_cast<int>(mode), a.Data(), b.Data(), out.Data(), n, row);
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
  if (op < kRelu || op > kSquare) ThrowRange(env, "op: expected a unary op code 0..4, got " + std::to_string(op));
  UnaryF32(static_cast<int>(op), x.Data(), out.Data(), static_cast<int64_t>(x.ElementLength()), alpha);
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
  ReduceF32(static_cast<int>(op), x.Data(), out.Data(), outer, length, inner);
  return env.Undefined();
}

}  // namespace

void RegisterElementwise(Napi::Env env, Napi::Object exports) {
  exports.Set("binary", Napi::Function::New(env, Binary, "binary"));
  exports.Set("unary", Napi::Function::New(env, Unary, "unary"));
  exports.Set("reduce", Napi::Function::New(env, Reduce, "reduce"));
}

}  // namespace mnf::kernels
