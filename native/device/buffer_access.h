// Device buffers as the device ops' N-API functions (native/device/register_*.cc) see them: a
// (device handle, buffer id) pair resolved to the buffer's device address, its byte size checked
// against what the op expects (shape × dtype). Implemented in register.cc, which owns the buffers.
// The address stays valid for the duration of one synchronous call (JS cannot free it meanwhile).
#pragma once
#include <napi.h>

#include <cstddef>

#include "device/device.h"

namespace mnf::device {

/** info[index] as a handle from deviceOpen; a JS TypeError naming the argument otherwise. */
Device& ExpectDeviceHandle(const Napi::CallbackInfo& info, size_t index);

/** info[index] as a live buffer of the device at info[deviceIndex] holding exactly `bytes` bytes;
 * a JS RangeError naming `what` (unknown, freed or the wrong size) otherwise. */
void* ExpectDeviceBuffer(const Napi::CallbackInfo& info, size_t deviceIndex, size_t index, const char* what, size_t bytes);

}  // namespace mnf::device
