#include "device/cuda/cuda_device.cuh"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <new>
#include <vector>

#include "cuda/device.h"

namespace mnf::device {
namespace {

// A kernel whose image tells whether this build's architectures run on the opened GPU.
__global__ void ProbeKernel() {}

/** cudaMalloc ran out of device memory: a std::bad_alloc (Device::Allocate's contract) that says so. */
class DeviceOutOfMemory final : public std::bad_alloc {
 public:
  explicit DeviceOutOfMemory(std::string message) : message_(std::move(message)) {}
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  std::string message_;
};

// True when `host` is page-locked (cudaMallocHost / cudaHostRegister): a copy from it is truly asynchronous.
bool IsPinned(const void* host) {
  cudaPointerAttributes attributes{};
  if (cudaPointerGetAttributes(&attributes, host) != cudaSuccess) {
    cudaGetLastError();  // older runtimes report unregistered host memory as an error
    return false;
  }
  return attributes.type == cudaMemoryTypeHost;
}

}  // namespace

CudaDevice::CudaDevice(int index) : index_(index) {
  CheckCuda(cudaSetDevice(index), "cudaSetDevice");
  cudaDeviceProp prop{};
  CheckCuda(cudaGetDeviceProperties(&prop, index), "cudaGetDeviceProperties");
  name_ = prop.name;
  multiprocessors_ = prop.multiProcessorCount;
  computeMajor_ = prop.major;
  cudaFuncAttributes probe{};
  const cudaError_t image = cudaFuncGetAttributes(&probe, ProbeKernel);
  if (image != cudaSuccess) {
    cudaGetLastError();
    throw std::runtime_error(name_ + " (compute capability " + std::to_string(prop.major) + "." + std::to_string(prop.minor) +
                             ") cannot run this addon's kernels (built for sm 80-90): " + cudaGetErrorString(image));
  }
  CheckCuda(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
  const cudaError_t second = cudaStreamCreateWithFlags(&copyStream_, cudaStreamNonBlocking);
  if (second != cudaSuccess) {
    cudaStreamDestroy(stream_);
    CheckCuda(second, "cudaStreamCreateWithFlags (copy stream)");
  }
}

CudaDevice::~CudaDevice() {
  // errors are not reported from here: the device is going away, and the process may be exiting
  cudaSetDevice(index_);
  cudaStreamSynchronize(stream_);
  cudaStreamSynchronize(copyStream_);
  for (void* area : scratch_) {
    if (area != nullptr) cudaFree(area);
  }
  cudaStreamDestroy(copyStream_);
  cudaStreamDestroy(stream_);
  cudaGetLastError();
}

void CudaDevice::MakeCurrent() const { CheckCuda(cudaSetDevice(index_), "cudaSetDevice"); }

void* CudaDevice::Allocate(size_t bytes) {
  MakeCurrent();
  void* ptr = nullptr;
  const cudaError_t status = cudaMalloc(&ptr, bytes == 0 ? 1 : bytes);
  if (status == cudaErrorMemoryAllocation) {
    cudaGetLastError();
    size_t freeBytes = 0, totalBytes = 0;
    cudaMemGetInfo(&freeBytes, &totalBytes);
    cudaGetLastError();
    throw DeviceOutOfMemory("cudaMalloc: out of memory on " + name_ + " allocating " + std::to_string(bytes) + " bytes (" +
                            std::to_string(freeBytes >> 20) + " MiB of " + std::to_string(totalBytes >> 20) + " MiB free)");
  }
  CheckCuda(status, "cudaMalloc");
  return ptr;
}

void CudaDevice::Free(void* ptr) {
  // never throws: the caching allocator frees from its destructor
  if (ptr == nullptr) return;
  cudaSetDevice(index_);
  // a failure here (the process exiting, a context lost to an earlier fault) leaves nothing to do
  if (cudaFree(ptr) != cudaSuccess) cudaGetLastError();
}

void CudaDevice::CopyHostToDevice(void* dst, const void* src, size_t bytes) {
  if (bytes == 0) return;
  MakeCurrent();
  // From pageable memory the call returns once the bytes are staged; from pinned memory it would
  // return at once, so it waits for the copy to keep the caller's buffer reusable on return.
  CheckCuda(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, stream_), "cudaMemcpyAsync (host to device)");
  if (IsPinned(src)) CheckCuda(cudaStreamSynchronize(stream_), "cudaStreamSynchronize (after host to device)");
}

void CudaDevice::CopyDeviceToHost(void* dst, const void* src, size_t bytes) {
  if (bytes == 0) return;
  MakeCurrent();
  CheckCuda(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, stream_), "cudaMemcpyAsync (device to host)");
  CheckCuda(cudaStreamSynchronize(stream_), "cudaStreamSynchronize (device to host)");
}

void CudaDevice::CopyDeviceToDevice(void* dst, const void* src, size_t bytes) {
  if (bytes == 0 || dst == src) return;
  MakeCurrent();
  CheckCuda(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, stream_), "cudaMemcpyAsync (device to device)");
}

void CudaDevice::Synchronize() {
  MakeCurrent();
  CheckCuda(cudaStreamSynchronize(copyStream_), "cudaStreamSynchronize (copy stream)");
  CheckCuda(cudaStreamSynchronize(stream_), "cudaStreamSynchronize");
}

void* CudaDevice::Scratch(int slot, size_t bytes) {
  if (slot < 0 || slot >= kScratchSlots) {
    throw std::out_of_range("CudaDevice::Scratch: slot " + std::to_string(slot) + " (expected 0.." + std::to_string(kScratchSlots - 1) + ")");
  }
  if (bytes <= scratchBytes_[slot] && scratch_[slot] != nullptr) return scratch_[slot];
  MakeCurrent();
  // grow geometrically so that a slowly rising demand synchronises only a few times
  const size_t size = std::max({bytes, 2 * scratchBytes_[slot], size_t{1} << 16});
  // queued kernels may still read the old area
  CheckCuda(cudaStreamSynchronize(stream_), "cudaStreamSynchronize (growing scratch)");
  if (scratch_[slot] != nullptr) {
    CheckCuda(cudaFree(scratch_[slot]), "cudaFree (scratch)");
    scratch_[slot] = nullptr;
    scratchBytes_[slot] = 0;
  }
  scratch_[slot] = Allocate(size);
  scratchBytes_[slot] = size;
  return scratch_[slot];
}

CudaDevice* AsCudaDevice(Device& d) { return dynamic_cast<CudaDevice*>(&d); }

namespace {

// This process's rank among the job's processes on this machine: Open MPI's mpirun, SLURM's srun,
// MPICH's hydra; 0 without a launcher.
int LocalRank() {
  for (const char* name : {"OMPI_COMM_WORLD_LOCAL_RANK", "SLURM_LOCALID", "MPI_LOCALRANKID"}) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') continue;
    char* end = nullptr;
    const long rank = std::strtol(value, &end, 10);
    if (*end == '\0' && rank >= 0 && rank < 1 << 20) return static_cast<int>(rank);
  }
  return 0;
}

}  // namespace

std::unique_ptr<Device> OpenCudaDevice(std::string& reason) {
  // the same hint as a build without CUDA (cuda_device_absent.cc)
  const std::string hint = "; MNF_CUDA_DEVICE=emulated runs backend cuda on host memory";
  std::vector<::mnf::cuda::DeviceInfo> devices;
  std::string why;
  ::mnf::cuda::QueryDevices(devices, why);
  if (devices.empty()) {
    reason = (why.empty() ? std::string("CUDA runtime found no usable device") : why) + hint;
    return nullptr;
  }
  // a data-parallel job's ranks on one machine take one GPU each (the launcher's local rank); set
  // CUDA_VISIBLE_DEVICES per rank to choose otherwise
  const ::mnf::cuda::DeviceInfo& chosen = devices[static_cast<size_t>(LocalRank()) % devices.size()];
  try {
    return std::make_unique<CudaDevice>(chosen.index);
  } catch (const std::exception& e) {
    reason = "CUDA device " + std::to_string(chosen.index) + " (" + chosen.name + ") cannot be opened: " + e.what() + hint;
    return nullptr;
  }
}

}  // namespace mnf::device
