#include "kernels/dnnl_context.h"

namespace mnf::kernels {

dnnl::engine& CpuEngine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& CpuStream() {
  static dnnl::stream stream(CpuEngine());
  return stream;
}

std::mutex& KernelMutex() {
  static std::mutex mutex;
  return mutex;
}

}  // namespace mnf::kernels
