// The CPU cores of the element-wise and reduction kernels (elementwise.cc's N-API functions and the
// emulated device's ops in native/device/ call them): float32, OpenMP above a size threshold. Callers
// check sizes; these only loop.
#pragma once
#include <cstdint>

namespace mnf::kernels {

// Codes shared with src/native/kernels.ts.
enum BinaryOp { kAdd = 0, kSub = 1, kMul = 2, kDiv = 3, kSquaredDifference = 4 };
// How b lines up with a (out has the larger shape):
//   same: equal sizes; scalarB / scalarA: one side has one element;
//   rowB / rowA: one side is a vector repeated along the last axis of the other.
enum Broadcast { kSame = 0, kScalarB = 1, kScalarA = 2, kRowB = 3, kRowA = 4 };
enum UnaryOp { kRelu = 0, kStep = 1, kSigmoid = 2, kNeg = 3, kSquare = 4 };
enum ReduceOp { kSum = 0, kMean = 1 };

/** out[0, n) = a op b under `mode`; `row` is the vector length of the row modes. */
void BinaryF32(int op, int mode, const float* a, const float* b, float* out, int64_t n, int64_t row);
/** out[0, n) = op(x); alpha is Step's value for x <= 0. */
void UnaryF32(int op, const float* x, float* out, int64_t n, float alpha);
/** x viewed as [outer, length, inner] reduced over its middle axis into out [outer, inner];
 *  sums accumulate in double (as tfjs's JS loops do). All sizes >= 1. */
void ReduceF32(int op, const float* x, float* out, int64_t outer, int64_t length, int64_t inner);

}  // namespace mnf::kernels
