#pragma once
#include <napi.h>

#include <cstdint>
#include <string>

#include "common/napi_args.h"

namespace mnf::kernels {
// matMul
void RegisterMatMul(Napi::Env env, Napi::Object exports);

// Activation codes shared with src/native/kernels.ts.
enum Activation { kLinear = 0, kRelu = 1, kRelu6 = 2, kElu = 3, kSigmoid = 4, kLeakyRelu = 5 };

// out[b] = act(op(a[b]) · op(b[b]) + bias): a stored (batchA, m, k) or, transposed, (batchA, k, m);
// b (batchB, k, n) or (batchB, n, k); out (max(batchA, batchB), m, n); bias (n).
struct MatMulProblem {
  int64_t batchA = 0, batchB = 0, m = 0, k = 0, n = 0;
  bool transposeA = false, transposeB = false, bias = false;
  int activation = kLinear;
  float alpha = 0.f;  // leaky relu slope
};

// Fills p's batch and matrix sizes from a's and b's shapes ([batch, rows, cols]) as p.transposeA and
// p.transposeB read them; empty when their inner dimensions agree, else one line saying how they differ.
std::string SetMatMulSizes(MatMulProblem& p, const Shape& aShape, const Shape& bShape);

// Empty when the problem is valid, else one line saying what is wrong.
std::string CheckMatMul(const MatMulProblem& p);

// Runs a checked problem on the CPU (nothing when the output is empty); bias may be null when
// !p.bias. Throws std::runtime_error when oneDNN rejects it.
void RunMatMul(const MatMulProblem& p, const float* a, const float* b, const float* bias, float* out);
}  // namespace mnf::kernels
