// The CUDA device for the .cu files: one compute stream that every op launches on (no host
// synchronisation per op), a second stream for uploads that overlap compute, and a scratch area
// for ops that need temporary device memory. Defined in cuda_device.cu.
#pragma once
#include <cuda_runtime.h>

#include <cstddef>
#include <stdexcept>
#include <string>

#include "device/cuda_device.h"

namespace mnf::device {

class CudaDevice final : public Device {
 public:
  /** Opens CUDA device `index`; throws std::runtime_error naming the CUDA error. */
  explicit CudaDevice(int index);
  ~CudaDevice() override;
  CudaDevice(const CudaDevice&) = delete;
  CudaDevice& operator=(const CudaDevice&) = delete;

  std::string Name() const override { return name_; }
  void* Allocate(size_t bytes) override;
  void Free(void* ptr) override;
  /** ordered on stream(); the host memory may be reused when the call returns */
  void CopyHostToDevice(void* dst, const void* src, size_t bytes) override;
  /** ordered on stream(); returns when the bytes are on the host */
  void CopyDeviceToHost(void* dst, const void* src, size_t bytes) override;
  void CopyDeviceToDevice(void* dst, const void* src, size_t bytes) override;
  /** waits for both streams */
  void Synchronize() override;

  /** every device op launches on this stream */
  cudaStream_t stream() const { return stream_; }
  /** uploads that overlap compute (the clip data path); order them with events */
  cudaStream_t copyStream() const { return copyStream_; }
  int index() const { return index_; }
  /** cudaSetDevice(index()) on the calling thread (a JS call or a worker's): every host entry point
   *  that launches or copies calls it first. */
  void MakeCurrent() const;
  int multiprocessors() const { return multiprocessors_; }
  int computeMajor() const { return computeMajor_; }

  /** At least `bytes` of device memory for slot `slot` (0..kScratchSlots-1), valid until the next
   *  Scratch call for that slot; work already queued on stream() may still read the old area
   *  (growing it frees the old one only after the stream has drained). */
  void* Scratch(int slot, size_t bytes);
  static constexpr int kScratchSlots = 4;

 private:
  int index_;
  std::string name_;
  int multiprocessors_ = 0;
  int computeMajor_ = 0;
  cudaStream_t stream_ = nullptr;
  cudaStream_t copyStream_ = nullptr;
  void* scratch_[kScratchSlots] = {};
  size_t scratchBytes_[kScratchSlots] = {};
};

/** Throws std::runtime_error("<what>: <CUDA error string>") unless status is cudaSuccess. */
inline void CheckCuda(cudaError_t status, const char* what) {
  if (status != cudaSuccess) throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(status));
}

/** After a kernel launch: launch errors (bad configuration, no kernel image for this GPU) only, no synchronisation. */
inline void CheckLaunch(const char* kernel) { CheckCuda(cudaGetLastError(), kernel); }

/** Blocks of `threads` covering n elements, capped for grid-stride loops. */
inline unsigned GridFor(long long n, unsigned threads = 256, unsigned cap = 65535u * 8u) {
  long long blocks = (n + threads - 1) / threads;
  if (blocks < 1) blocks = 1;
  return static_cast<unsigned>(blocks > cap ? cap : blocks);
}

}  // namespace mnf::device
