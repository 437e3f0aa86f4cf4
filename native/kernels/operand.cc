#include "kernels/operand.h"

#include "kernels/dnnl_context.h"

namespace mnf::kernels {

Operand::Operand(const dnnl::memory::desc& user, const dnnl::memory::desc& wanted, bool isInput)
    : user_(user), wanted_(wanted), isInput_(isInput), reorder_(user != wanted) {
  if (!reorder_) return;
  scratch_ = dnnl::memory(wanted_, CpuEngine());
  dnnl::memory userMem(user_, CpuEngine(), DNNL_MEMORY_NONE);
  convert_ = isInput_ ? dnnl::reorder(userMem, scratch_) : dnnl::reorder(scratch_, userMem);
}

dnnl::memory Operand::Bind(float* data) {
  dnnl::memory userMem(user_, CpuEngine(), data);
  if (!reorder_) return userMem;
  if (isInput_) {
    convert_.execute(CpuStream(), {{DNNL_ARG_FROM, userMem}, {DNNL_ARG_TO, scratch_}});
  }
  return scratch_;
}

void Operand::Finish(float* data) {
  if (!reorder_ || isInput_) return;
  dnnl::memory userMem(user_, CpuEngine(), data);
  convert_.execute(CpuStream(), {{DNNL_ARG_FROM, scratch_}, {DNNL_ARG_TO, userMem}});
}

}  // namespace mnf::kernels
