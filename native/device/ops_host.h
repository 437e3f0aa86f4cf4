// What the element-wise, reduction and layout device ops (ops_elementwise/ops_reduce/ops_layout) share:
// dtype codes, the host-memory check of the emulated device, and JavaScript's number → integer
// conversions (tfjs's JS kernels store doubles into Int32Array / Uint8Array).
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "device/device.h"
#include "device/emulated_device.h"

namespace mnf::device {

// Codes shared with src/native/device-ops-elementwise.ts.
enum DType { kFloat32 = 0, kInt32 = 1, kBool = 2 };

inline size_t DTypeBytes(int dtype) { return dtype == kBool ? 1 : 4; }

/** The ops compute on host memory: the emulated device only until the CUDA kernels are built. */
inline void RequireHostMemory(const Device& d, const char* op) {
  if (dynamic_cast<const EmulatedDevice*>(&d) == nullptr) {
    throw std::runtime_error(std::string(op) + ": not built for device " + d.Name() + " (only the emulated device has this op)");
  }
}

/** ECMAScript ToInt32: truncate, wrap modulo 2^32; NaN and ±Infinity give 0. */
inline int32_t JsToInt32(double v) {
  if (!std::isfinite(v)) return 0;
  double m = std::fmod(std::trunc(v), 4294967296.0);
  if (m < 0) m += 4294967296.0;
  return static_cast<int32_t>(static_cast<uint32_t>(m));
}

/** ECMAScript ToUint8 (a Uint8Array store). */
inline uint8_t JsToUint8(double v) { return static_cast<uint8_t>(static_cast<uint32_t>(JsToInt32(v)) & 0xffu); }

}  // namespace mnf::device
