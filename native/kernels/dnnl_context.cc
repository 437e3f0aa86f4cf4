#include "kernels/dnnl_context.h"

#include <omp.h>

namespace mnf::kernels {

dnnl::engine& CpuEngine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& CpuStream() {
  static dnnl::stream stream(CpuEngine());
  return stream;
}

int ThreadsFor(double macs) { return macs < (1 << 20) ? 1 : omp_get_max_threads(); }

ScopedThreads::ScopedThreads(int threads) : saved_(omp_get_max_threads()) { omp_set_num_threads(threads); }
ScopedThreads::~ScopedThreads() { omp_set_num_threads(saved_); }

std::mutex& KernelMutex() {
  static std::mutex mutex;
  return mutex;
}

}  // namespace mnf::kernels
