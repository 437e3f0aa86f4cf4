#include "device/emulated_device.h"

#include "device/cuda_device.h"

#include <cstring>
#include <new>

namespace mnf::device {

void* EmulatedDevice::Allocate(size_t bytes) {
  const size_t rounded = (bytes + kAlignment - 1) / kAlignment * kAlignment;
  std::unique_ptr<void, FreeDeleter> block(std::aligned_alloc(kAlignment, rounded == 0 ? kAlignment : rounded));
  if (!block) throw std::bad_alloc();
  void* ptr = block.get();
  blocks_.emplace(ptr, std::move(block));
  return ptr;
}

void EmulatedDevice::Free(void* ptr) { blocks_.erase(ptr); }

void EmulatedDevice::CopyHostToDevice(void* dst, const void* src, size_t bytes) { std::memcpy(dst, src, bytes); }
void EmulatedDevice::CopyDeviceToHost(void* dst, const void* src, size_t bytes) { std::memcpy(dst, src, bytes); }
void EmulatedDevice::CopyDeviceToDevice(void* dst, const void* src, size_t bytes) { std::memmove(dst, src, bytes); }

std::unique_ptr<Device> OpenDevice(const std::string& kind, std::string& reason) {
  if (kind == "emulated") return std::make_unique<EmulatedDevice>();
  if (kind == "cuda") return OpenCudaDevice(reason);
  reason = "unknown device kind '" + kind + "' (expected emulated or cuda)";
  return nullptr;
}

}  // namespace mnf::device
