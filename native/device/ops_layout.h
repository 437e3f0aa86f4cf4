// Layout device ops: data movement only, any 1- or 4-byte dtype, so every backend's values agree bit for bit.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/napi_args.h"
#include "device/device.h"

namespace mnf::device {

/** out = x with its axes permuted: out's axis i is x's axis perm[i]. */
void TransposeOp(Device& d, size_t elementBytes, const void* x, const Shape& xShape, const std::vector<int64_t>& perm, void* out);

/** Copies a [rows, cols] block: src row r from element srcOffset + r·srcRowLength to dst row r at
 *  dstOffset + r·dstRowLength (Concat and SplitV along an axis, each tensor viewed as 2-D). */
void CopyBlockOp(Device& d, size_t elementBytes, const void* src, int64_t srcRowLength, int64_t srcOffset, void* dst,
                 int64_t dstRowLength, int64_t dstOffset, int64_t rows, int64_t cols);

}  // namespace mnf::device
