// An operand of a oneDNN primitive as the caller stores it (a plain channels-last JS array) and as
// the primitive wants it (possibly a blocked layout chosen by `any`), with the cached reorder and
// scratch buffer that move data between the two.
#pragma once
#include <oneapi/dnnl/dnnl.hpp>

namespace mnf::kernels {

class Operand {
 public:
  Operand() = default;
  Operand(const dnnl::memory::desc& user, const dnnl::memory::desc& wanted, bool isInput);

  // The memory to hand to the primitive for `data` (the caller's array, or the scratch buffer
  // after reordering into it when this is an input).
  dnnl::memory Bind(float* data);
  // For an output in a different layout: reorders the scratch buffer back into `data`.
  void Finish(float* data);

 private:
  dnnl::memory::desc user_;
  dnnl::memory::desc wanted_;
  bool isInput_ = true;
  bool reorder_ = false;
  dnnl::memory scratch_;
  dnnl::reorder convert_;
};

}  // namespace mnf::kernels
