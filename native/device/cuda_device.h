// The CUDA GPU as a Device (native/device/cuda/cuda_device.cu): what the plain C++ side sees. Builds
// without CUDA get cuda_device_absent.cc, where no device opens and AsCudaDevice is always null.
#pragma once
#include <memory>
#include <string>

#include "device/device.h"

namespace mnf::device {

class CudaDevice;

/** The CUDA device behind `d`, or null (the emulated device, or a build without CUDA kernels). */
CudaDevice* AsCudaDevice(Device& d);

/** Device 0 of the CUDA runtime, or null with `reason` saying why none is usable. */
std::unique_ptr<Device> OpenCudaDevice(std::string& reason);

}  // namespace mnf::device
