#include <cuda_runtime.h>
#include <dlfcn.h>

#include "cuda/device.h"

namespace mnf::cuda {

bool Built() { return true; }

namespace {

// "12.4" from CUDA's encoding 1000 * major + 10 * minor.
std::string CudaVersion(int version) { return std::to_string(version / 1000) + "." + std::to_string(version % 1000 / 10); }

// Why cudaGetDeviceCount failed, in the user's terms. The static runtime reports a missing driver
// (no libcuda.so.1 to load) as cudaErrorInsufficientDriver too, so the driver library is looked for first.
std::string FailureReason(cudaError_t status) {
  void* driver = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (driver == nullptr) {
    const char* why = dlerror();
    return std::string("no NVIDIA driver found (") + (why ? why : "libcuda.so.1 cannot be loaded") + ")";
  }
  dlclose(driver);
  if (status == cudaErrorInsufficientDriver) {
    int driverVersion = 0, runtimeVersion = 0;
    cudaDriverGetVersion(&driverVersion);
    cudaRuntimeGetVersion(&runtimeVersion);
    return "NVIDIA driver too old: it supports CUDA " + CudaVersion(driverVersion) + ", this addon was built with CUDA " +
           CudaVersion(runtimeVersion) + " (update the driver)";
  }
  return std::string("CUDA runtime: ") + cudaGetErrorString(status);
}

}  // namespace

void QueryDevices(std::vector<DeviceInfo>& devices, std::string& reason) {
  int count = 0;
  cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    cudaGetLastError();
    reason = FailureReason(status);
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
