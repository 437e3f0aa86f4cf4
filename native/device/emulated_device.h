// The emulated device: host memory, 64-byte aligned; copies are memcpy and complete at once.
#pragma once
#include <cstdlib>
#include <unordered_map>

#include "device/device.h"

namespace mnf::device {

class EmulatedDevice final : public Device {
 public:
  static constexpr size_t kAlignment = 64;

  std::string Name() const override { return "emulated (host memory)"; }
  void* Allocate(size_t bytes) override;
  void Free(void* ptr) override;
  void CopyHostToDevice(void* dst, const void* src, size_t bytes) override;
  void CopyDeviceToHost(void* dst, const void* src, size_t bytes) override;
  void CopyDeviceToDevice(void* dst, const void* src, size_t bytes) override;
  void Synchronize() override {}

 private:
  struct FreeDeleter {
    void operator()(void* p) const { std::free(p); }
  };
  std::unordered_map<void*, std::unique_ptr<void, FreeDeleter>> blocks_;
};

}  // namespace mnf::device
