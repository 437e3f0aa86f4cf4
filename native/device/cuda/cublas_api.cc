#include "device/cuda/cublas_api.h"

#include <stdexcept>

#include "device/cuda_libraries.h"

namespace mnf::device::cublas {
namespace {

template <class F>
bool Resolve(F& slot, const char* symbol) {
  slot = reinterpret_cast<F>(cuda_libraries::Symbol(cuda_libraries::Library::kCublas, symbol));
  return slot != nullptr;
}

}  // namespace

const Api* Load() {
  static const Api api = [] {
    Api a{};
    const bool all = Resolve(a.create, "cublasCreate_v2") && Resolve(a.setStream, "cublasSetStream_v2") &&
                     Resolve(a.setMathMode, "cublasSetMathMode") && Resolve(a.gemmStridedBatchedEx, "cublasGemmStridedBatchedEx");
    Resolve(a.statusString, "cublasGetStatusString");
    if (!all) a.create = nullptr;
    return a;
  }();
  return api.create != nullptr ? &api : nullptr;
}

void Check(const Api& api, Status status, const char* what) {
  if (status != kSuccess) {
    const std::string name = api.statusString ? api.statusString(status) : "status " + std::to_string(status);
    throw std::runtime_error(std::string("cuBLAS ") + what + ": " + name + " (MNF_CUDA_KERNELS=own runs the built-in GEMM kernels instead)");
  }
}

}  // namespace mnf::device::cublas
