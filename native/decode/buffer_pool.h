// Reusable float buffers for decoded batches. A fresh multi-megabyte buffer costs a page fault per
// 4 KiB on its first write (about as much as the resize itself); buffers handed to JavaScript come
// back here when their ArrayBuffer is garbage-collected, already mapped.
#pragma once
#include <cstddef>

namespace mnf::decode {

// A buffer of at least `bytes` (64-byte aligned); nullptr when out of memory.
float* AcquireBuffer(size_t bytes);
// Returns a buffer from AcquireBuffer (kept for reuse up to a cap, freed beyond it).
void ReleaseBuffer(float* buffer, size_t bytes);

}  // namespace mnf::decode
