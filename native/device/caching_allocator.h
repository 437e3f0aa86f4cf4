// A caching allocator in front of a Device, in the spirit of PyTorch's CUDACachingAllocator:
// requests are rounded to size classes (multiples of 512 bytes below 1 MiB, of 2 MiB from 1 MiB up),
// released blocks are kept per size class and handed out again, and EmptyCache() returns the kept
// blocks to the device. Thread-safe (a buffer may be released on a worker thread).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "device/device.h"

namespace mnf::device {

struct AllocatorStats {
  /** bytes of blocks handed out and not yet released (size classes, not requests) */
  uint64_t inUseBytes = 0;
  /** bytes of released blocks kept for reuse */
  uint64_t cachedBytes = 0;
  /** the most inUseBytes has been */
  uint64_t peakBytes = 0;
  /** fresh device allocations (reuses of cached blocks not counted) */
  uint64_t allocations = 0;
  uint64_t hostToDeviceBytes = 0;
  uint64_t deviceToHostBytes = 0;
};

struct Block {
  void* ptr = nullptr;
  /** the size class */
  size_t size = 0;
};

class CachingAllocator {
 public:
  static constexpr size_t kSmallQuantum = 512;
  static constexpr size_t kLargeThreshold = size_t{1} << 20;
  static constexpr size_t kLargeQuantum = size_t{2} << 20;

  explicit CachingAllocator(std::unique_ptr<Device> device) : device_(std::move(device)) {}
  ~CachingAllocator();
  CachingAllocator(const CachingAllocator&) = delete;
  CachingAllocator& operator=(const CachingAllocator&) = delete;

  /** The size class of a request (0 bytes takes the smallest class). */
  static size_t SizeClass(size_t bytes);

  Block Allocate(size_t bytes);
  void Release(const Block& block);
  void EmptyCache();

  void CountHostToDevice(size_t bytes);
  void CountDeviceToHost(size_t bytes);
  AllocatorStats Stats();

  Device& device() { return *device_; }

 private:
  std::unique_ptr<Device> device_;
  std::mutex mutex_;
  std::unordered_map<size_t, std::vector<void*>> free_;
  AllocatorStats stats_;
};

}  // namespace mnf::device
