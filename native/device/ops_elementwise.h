// Element-wise device ops over buffers (device addresses from buffer_access.h), with the numbers of
// backend 'native': its addon loops (kernels/elementwise_cpu.h) where it runs them, tfjs-cpu's JS
// formulas (double math, stored as float32) elsewhere. Sizes are checked by the caller.
#pragma once
#include <cstdint>
#include <vector>

#include "common/napi_args.h"
#include "device/device.h"

namespace mnf::device {

// Codes shared with src/native/device-ops-elementwise.ts.
enum DeviceUnaryOp {
  kUAbs = 0, kUExp, kUFloor, kULog, kUNeg, kURelu, kURsqrt, kUSigmoid, kUSqrt, kUSquare, kUStep, kUClip, kUnaryOpCount
};
enum DeviceBinaryOp { kBAdd = 0, kBSub, kBMul, kBDiv, kBMaximum, kBPow, kBEqual, kBLess, kBinaryOpCount };

/** float32 out[i] = op(x[i]); alpha: Step's value for x <= 0 or Clip's min; beta: Clip's max. */
void UnaryOp(Device& d, int op, const void* x, void* out, int64_t size, double alpha, double beta);

/** True for the ops whose output is bool whatever the inputs' dtype. */
inline bool IsComparison(int op) { return op == kBEqual || op == kBLess; }

/** out = a op b with numpy broadcasting; a and b of `dtype` (float32 or int32), out of `dtype` or bool. */
void BinaryOp(Device& d, int op, int dtype, const void* a, const Shape& aShape, const void* b, const Shape& bShape, void* out,
              const Shape& outShape);

/** out = sum of the inputs, element by element, in input order (float32 or int32). */
void AddNOp(Device& d, int dtype, const std::vector<const void*>& inputs, void* out, int64_t size);

/** Every element of out = value as a Typed Array of `dtype` stores it. */
void FillOp(Device& d, int dtype, void* out, int64_t size, double value);

/** out [size, depth] of `dtype` (float32 or int32): onValue where depth index = indices[i], else offValue. */
void OneHotOp(Device& d, const void* indices, int64_t size, int64_t depth, double onValue, double offValue, int dtype, void* out);

/** out = x converted from `from` to `to` (float32, int32, bool) as tfjs-cpu's Cast converts. */
void CastOp(Device& d, int from, const void* x, int to, void* out, int64_t size);

}  // namespace mnf::device
