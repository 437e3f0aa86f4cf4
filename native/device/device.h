// The device interface behind backend 'cuda': buffers and a stream. Pointers a Device returns are
// device addresses (host addresses on the emulated device); copies are ordered on the device's one
// stream and Synchronize() waits for them.
#pragma once
#include <cstddef>
#include <memory>
#include <string>

namespace mnf::device {

class Device {
 public:
  virtual ~Device() = default;
  /** e.g. "emulated (host memory)" or the GPU's name */
  virtual std::string Name() const = 0;
  /** bytes > 0; never returns null (throws std::bad_alloc) */
  virtual void* Allocate(size_t bytes) = 0;
  virtual void Free(void* ptr) = 0;
  virtual void CopyHostToDevice(void* dst, const void* src, size_t bytes) = 0;
  virtual void CopyDeviceToHost(void* dst, const void* src, size_t bytes) = 0;
  virtual void CopyDeviceToDevice(void* dst, const void* src, size_t bytes) = 0;
  virtual void Synchronize() = 0;
};

/** The device of a kind ("emulated" or "cuda"), or null with `reason` saying why there is none. */
std::unique_ptr<Device> OpenDevice(const std::string& kind, std::string& reason);

}  // namespace mnf::device
