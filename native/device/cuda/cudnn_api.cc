#include "device/cuda/cudnn_api.h"

#include <stdexcept>

#include "device/cuda_libraries.h"

namespace mnf::device::cudnn {
namespace {

template <class F>
bool Resolve(F& slot, const char* symbol) {
  slot = reinterpret_cast<F>(cuda_libraries::Symbol(cuda_libraries::Library::kCudnn, symbol));
  return slot != nullptr;
}

bool ResolveAll(Api& a) {
  return Resolve(a.create, "cudnnCreate") && Resolve(a.setStream, "cudnnSetStream") && Resolve(a.getErrorString, "cudnnGetErrorString") &&
         Resolve(a.createTensorDescriptor, "cudnnCreateTensorDescriptor") &&
         Resolve(a.setTensorNdDescriptor, "cudnnSetTensorNdDescriptor") &&
         Resolve(a.destroyTensorDescriptor, "cudnnDestroyTensorDescriptor") &&
         Resolve(a.createFilterDescriptor, "cudnnCreateFilterDescriptor") &&
         Resolve(a.setFilterNdDescriptor, "cudnnSetFilterNdDescriptor") &&
         Resolve(a.destroyFilterDescriptor, "cudnnDestroyFilterDescriptor") &&
         Resolve(a.createConvolutionDescriptor, "cudnnCreateConvolutionDescriptor") &&
         Resolve(a.setConvolutionNdDescriptor, "cudnnSetConvolutionNdDescriptor") &&
         Resolve(a.setConvolutionMathType, "cudnnSetConvolutionMathType") &&
         Resolve(a.destroyConvolutionDescriptor, "cudnnDestroyConvolutionDescriptor") &&
         Resolve(a.getForwardAlgorithm, "cudnnGetConvolutionForwardAlgorithm_v7") &&
         Resolve(a.getBackwardDataAlgorithm, "cudnnGetConvolutionBackwardDataAlgorithm_v7") &&
         Resolve(a.getBackwardFilterAlgorithm, "cudnnGetConvolutionBackwardFilterAlgorithm_v7") &&
         Resolve(a.getForwardWorkspaceSize, "cudnnGetConvolutionForwardWorkspaceSize") &&
         Resolve(a.getBackwardDataWorkspaceSize, "cudnnGetConvolutionBackwardDataWorkspaceSize") &&
         Resolve(a.getBackwardFilterWorkspaceSize, "cudnnGetConvolutionBackwardFilterWorkspaceSize") &&
         Resolve(a.convolutionForward, "cudnnConvolutionForward") &&
         Resolve(a.convolutionBackwardData, "cudnnConvolutionBackwardData") &&
         Resolve(a.convolutionBackwardFilter, "cudnnConvolutionBackwardFilter");
}

}  // namespace

const Api* Load() {
  static const Api api = [] {
    Api a{};
    if (!ResolveAll(a)) a.create = nullptr;
    return a;
  }();
  return api.create != nullptr ? &api : nullptr;
}

void Check(const Api& api, Status status, const char* what) {
  if (status != kSuccess) {
    throw std::runtime_error(std::string("cuDNN ") + what + ": " + api.getErrorString(status) + " (status " + std::to_string(status) +
                             "; MNF_CUDA_KERNELS=own runs the built-in convolution kernels instead)");
  }
}

}  // namespace mnf::device::cudnn
