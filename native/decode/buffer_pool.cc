#include "decode/buffer_pool.h"

#include <cstdlib>
#include <map>
#include <mutex>

namespace mnf::decode {

namespace {

constexpr size_t kMaxPooledBytes = size_t{1} << 30;  // 1 GiB of idle buffers at most

struct Pool {
  std::mutex mutex;
  std::multimap<size_t, float*> idle;  // by size in bytes
  size_t idle_bytes = 0;
};

Pool& Buffers() {
  static Pool* pool = new Pool();  // never destroyed: finalizers may run during process exit
  return *pool;
}

size_t Rounded(size_t bytes) { return (bytes + 63) / 64 * 64; }

}  // namespace

float* AcquireBuffer(size_t bytes) {
  const size_t size = Rounded(bytes);
  Pool& pool = Buffers();
  {
    std::lock_guard<std::mutex> lock(pool.mutex);
    auto it = pool.idle.find(size);
    if (it != pool.idle.end()) {
      float* buffer = it->second;
      pool.idle.erase(it);
      pool.idle_bytes -= size;
      return buffer;
    }
  }
  return static_cast<float*>(std::aligned_alloc(64, size));
}

void ReleaseBuffer(float* buffer, size_t bytes) {
  if (!buffer) return;
  const size_t size = Rounded(bytes);
  Pool& pool = Buffers();
  {
    std::lock_guard<std::mutex> lock(pool.mutex);
    if (pool.idle_bytes + size <= kMaxPooledBytes) {
      pool.idle.emplace(size, buffer);
      pool.idle_bytes += size;
      return;
    }
  }
  std::free(buffer);
}

}  // namespace mnf::decode
