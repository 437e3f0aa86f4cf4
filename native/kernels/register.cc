#include <malloc.h>

#include <cstdlib>
#include <cstring>

#include "kernels/adam.h"
#include "kernels/conv.h"
#include "kernels/elementwise.h"
#include "kernels/matmul.h"
#include "modules.h"

namespace mnf {

namespace {
// Every tfjs kernel returns a freshly allocated typed array (V8 calloc). With glibc's defaults,
// the large ones are mmapped or trimmed back to the OS when freed, so each new output page-faults
// on first write: measured 7 ms to allocate and fill 16 MB here, against 0.7 ms when the heap
// keeps freed memory. Buffers up to 32 MB (glibc's cap) therefore come from the heap and freed
// memory is kept (up to 1 GB at the top of the heap). MNF_MALLOC_TUNING=off leaves glibc alone.
void KeepFreedBuffers() {
  const char* v = std::getenv("MNF_MALLOC_TUNING");
  if (v && std::strcmp(v, "off") == 0) return;
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
}
}  // namespace

// conv, convBackpropInput, convBackpropFilter, matMul, binary, unary, reduce, adamUpdate
void RegisterKernels(Napi::Env env, Napi::Object exports) {
  static const bool tuned = (KeepFreedBuffers(), true);
  (void)tuned;
  kernels::RegisterConv(env, exports);
  kernels::RegisterMatMul(env, exports);
  kernels::RegisterElementwise(env, exports);
  kernels::RegisterAdam(env, exports);
}

}  // namespace mnf
