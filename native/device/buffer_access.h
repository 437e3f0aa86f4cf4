// Device buffers as the device ops' N-API functions (native/device/register_*.cc) see them, and
// how those functions run an op: a
// (device handle, buffer id) pair resolved to the buffer's device address, its byte size checked
// against what the op expects (shape × dtype). Implemented in register.cc, which owns the buffers.
// The address stays valid for the duration of one synchronous call (JS cannot free it meanwhile).
#pragma once
#include <napi.h>

#include <cstddef>
#include <exception>

#include "device/device.h"

namespace mnf::device {

/** info[index] as a handle from deviceOpen; a JS TypeError naming the argument otherwise. */
Device& ExpectDeviceHandle(const Napi::CallbackInfo& info, size_t index);

/** info[index] as a live buffer of the device at info[deviceIndex] holding exactly `bytes` bytes;
 * a JS RangeError naming `what` (unknown, freed or the wrong size) otherwise. */
void* ExpectDeviceBuffer(const Napi::CallbackInfo& info, size_t deviceIndex, size_t index, const char* what, size_t bytes);

/** Runs a device op: its C++ exceptions (oneDNN rejected it, not built for this device) become JS errors. */
template <typename Body>
Napi::Value RunDeviceOp(Napi::Env env, Body&& body) {
  try {
    body();
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
  return env.Undefined();
}

}  // namespace mnf::device
