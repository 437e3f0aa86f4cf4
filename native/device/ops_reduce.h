// Reductions and softmax as device ops, with the numbers of backend 'native': Sum/Mean over one
// contiguous run of float32 axes in the addon's loop (kernels/elementwise_cpu.h), everything else as
// tfjs-cpu computes it (reduced axes moved last in the order given, sums in double; its Mean divides
// each element by the count in float32 first).
#pragma once
#include <cstdint>
#include <vector>

#include "common/napi_args.h"
#include "device/device.h"

namespace mnf::device {

// Codes shared with src/native/device-ops-elementwise.ts.
enum DeviceReduceOp { kRSum = 0, kRMean, kRMax, kRArgMax, kReduceOpCount };

/** out (x's shape without `axes`) = op over `axes` (distinct, in range). x of `dtype` (float32 or
 *  int32); out: Sum and Max of x's dtype, Mean float32, ArgMax int32 (one axis). */
void ReduceOp(Device& d, int op, int dtype, const void* x, const Shape& xShape, const std::vector<int64_t>& axes, void* out);

/** float32 softmax over the last axis of x [rows, cols] (tfjs-cpu's max, sub, exp, sum, div). */
void SoftmaxOp(Device& d, const void* x, void* out, int64_t rows, int64_t cols);

}  // namespace mnf::device
