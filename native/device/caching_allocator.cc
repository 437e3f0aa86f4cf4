#include "device/caching_allocator.h"

#include <algorithm>

namespace mnf::device {

size_t CachingAllocator::SizeClass(size_t bytes) {
  if (bytes == 0) return kSmallQuantum;
  const size_t quantum = bytes >= kLargeThreshold ? kLargeQuantum : kSmallQuantum;
  return (bytes + quantum - 1) / quantum * quantum;
}

CachingAllocator::~CachingAllocator() {
  // After a device fault every later CUDA call fails too; a destructor must not throw.
  try {
    EmptyCache();
  } catch (...) {
  }
}

Block CachingAllocator::Allocate(size_t bytes) {
  const size_t size = SizeClass(bytes);
  std::lock_guard<std::mutex> lock(mutex_);
  void* ptr = nullptr;
  auto cached = free_.find(size);
  if (cached != free_.end() && !cached->second.empty()) {
    ptr = cached->second.back();
    cached->second.pop_back();
    stats_.cachedBytes -= size;
  } else {
    ptr = device_->Allocate(size);
    stats_.allocations += 1;
  }
  stats_.inUseBytes += size;
  stats_.peakBytes = std::max(stats_.peakBytes, stats_.inUseBytes);
  return {ptr, size};
}

void CachingAllocator::Release(const Block& block) {
  std::lock_guard<std::mutex> lock(mutex_);
  free_[block.size].push_back(block.ptr);
  stats_.inUseBytes -= block.size;
  stats_.cachedBytes += block.size;
}

void CachingAllocator::EmptyCache() {
  std::lock_guard<std::mutex> lock(mutex_);
  device_->Synchronize();
  for (auto& [size, blocks] : free_) {
    for (void* ptr : blocks) device_->Free(ptr);
  }
  free_.clear();
  stats_.cachedBytes = 0;
}

void CachingAllocator::CountHostToDevice(size_t bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  stats_.hostToDeviceBytes += bytes;
}

void CachingAllocator::CountDeviceToHost(size_t bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  stats_.deviceToHostBytes += bytes;
}

AllocatorStats CachingAllocator::Stats() {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

}  // namespace mnf::device
