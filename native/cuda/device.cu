#include <cuda_runtime.h>

#include "cuda/device.h"

namespace mnf::cuda {

bool Built() { return true; }

void QueryDevices(std::vector<DeviceInfo>& devices, std::string& reason) {
  int count = 0;
  cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    reason = std::string("CUDA runtime: ") + cudaGetErrorString(status);
    cudaGetLastError();
    return;
  }
  if (count == 0) {
    reason = "CUDA runtime found no device";
    return;
  }
  for (int i = 0; i < count; ++i) {
    cudaDeviceProp prop{};
    if (cudaGetDeviceProperties(&prop, i) != cudaSuccess) continue;
    devices.push_back({i, prop.name, static_cast<uint64_t>(prop.totalGlobalMem), prop.major, prop.minor});
  }
}

bool Available() {
  static const bool available = [] {
    std::vector<DeviceInfo> devices;
    std::string reason;
    QueryDevices(devices, reason);
    return !devices.empty();
  }();
  return available;
}

}  // namespace mnf::cuda
