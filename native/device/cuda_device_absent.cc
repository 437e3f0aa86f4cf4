// A build without CUDA kernels: backend cuda runs only on the emulated device.
#ifndef MNF_WITH_CUDA
#include "device/cuda_device.h"

namespace mnf::device {

CudaDevice* AsCudaDevice(Device&) { return nullptr; }

std::unique_ptr<Device> OpenCudaDevice(std::string& reason) {
  reason = "this addon was built without CUDA kernels (nvcc was not found when it was built); MNF_CUDA_DEVICE=emulated runs backend cuda on host memory";
  return nullptr;
}

}  // namespace mnf::device
#endif
