// The CPU engine and stream shared by every oneDNN kernel of the addon.
#pragma once
#include <oneapi/dnnl/dnnl.hpp>

#include <mutex>

namespace mnf::kernels {

dnnl::engine& CpuEngine();
dnnl::stream& CpuStream();
// Threads a primitive of `macs` multiply-adds should use: 1 below about a million (waking an
// OpenMP team costs more, and far more when the cores are busy), else the caller's OpenMP setting.
int ThreadsFor(double macs);

// Sets the calling thread's OpenMP thread count for a scope. oneDNN sizes its parallel regions
// when a primitive is created, so a primitive must be created and run under the same count.
class ScopedThreads {
 public:
  explicit ScopedThreads(int threads);
  ~ScopedThreads();
  ScopedThreads(const ScopedThreads&) = delete;
  ScopedThreads& operator=(const ScopedThreads&) = delete;

 private:
  int saved_;
};

// Kernels keep cached primitives and scratch buffers; worker threads may share the addon, so a
// kernel holds this lock while it looks up its cache and runs.
std::mutex& KernelMutex();

}  // namespace mnf::kernels
