#include "device/cuda/clip_upload.h"

#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "device/cuda/cuda_device.cuh"

namespace mnf::device::cuda {
namespace {

struct PinnedFree {
  void operator()(uint8_t* p) const { cudaFreeHost(p); }
};
struct DeviceFree {
  void operator()(uint8_t* p) const { cudaFree(p); }
};

class Event {
 public:
  Event() { CheckCuda(cudaEventCreateWithFlags(&event_, cudaEventDisableTiming), "cudaEventCreateWithFlags"); }
  ~Event() { cudaEventDestroy(event_); }
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  cudaEvent_t get() const { return event_; }

 private:
  cudaEvent_t event_ = nullptr;
};

// One batch's staging: pinned host bytes, their copy on the device, and two events: `copied` (copy
// stream, after the upload: the host bytes may be rewritten) and `read` (compute stream, after the
// transform: the device bytes may be overwritten). An event never recorded counts as completed.
struct StagingArea {
  std::unique_ptr<uint8_t, PinnedFree> host;
  std::unique_ptr<uint8_t, DeviceFree> device;
  size_t bytes = 0;
  Event copied;
  Event read;
  bool taken = false;

  /** At least `need` bytes on both sides; growing waits until the previous transform has read the old area. */
  void Reserve(size_t need) {
    if (bytes >= need) return;
    CheckCuda(cudaEventSynchronize(read.get()), "cudaEventSynchronize (clip staging)");
    host.reset();
    device.reset();
    bytes = 0;
    uint8_t* h = nullptr;
    CheckCuda(cudaHostAlloc(reinterpret_cast<void**>(&h), need, cudaHostAllocDefault), "cudaHostAlloc (clip staging)");
    host.reset(h);
    uint8_t* d = nullptr;
    CheckCuda(cudaMalloc(reinterpret_cast<void**>(&d), need), "cudaMalloc (clip staging)");
    device.reset(d);
    bytes = need;
  }
};

bool Completed(const Event& event) {
  const cudaError_t status = cudaEventQuery(event.get());
  if (status == cudaErrorNotReady) return false;
  CheckCuda(status, "cudaEventQuery (clip staging)");
  return true;
}

// The staging areas of one CUDA device, shared by every batch in flight (the loader keeps a few).
class StagingPool {
 public:
  /** An area no copy is reading from any more, reserved for the caller until Give. */
  StagingArea& Take() {
    std::unique_lock<std::mutex> lock(mutex_);
    StagingArea* waitFor = nullptr;
    for (const auto& area : areas_) {
      if (area->taken) continue;
      if (Completed(area->copied)) {
        area->taken = true;
        return *area;
      }
      if (waitFor == nullptr) waitFor = area.get();
    }
    if (waitFor == nullptr || areas_.size() < kAreas) {
      areas_.push_back(std::make_unique<StagingArea>());
      areas_.back()->taken = true;
      return *areas_.back();
    }
    waitFor->taken = true;
    lock.unlock();
    CheckCuda(cudaEventSynchronize(waitFor->copied.get()), "cudaEventSynchronize (clip staging)");
    return *waitFor;
  }

  void Give(StagingArea& area) {
    std::lock_guard<std::mutex> lock(mutex_);
    area.taken = false;
  }

 private:
  // enough for the loader's prefetch (2 batches) and one whose copy is still running
  static constexpr size_t kAreas = 4;
  std::mutex mutex_;
  std::vector<std::unique_ptr<StagingArea>> areas_;
};

// Per CUDA device index: the memory belongs to the device's primary context, which outlives any one
// CudaDevice object (CudaDevice never resets the device).
StagingPool& PoolFor(int deviceIndex) {
  static std::mutex mutex;
  static std::map<int, std::unique_ptr<StagingPool>> pools;
  std::lock_guard<std::mutex> lock(mutex);
  std::unique_ptr<StagingPool>& pool = pools[deviceIndex];
  if (!pool) pool = std::make_unique<StagingPool>();
  return *pool;
}

class Lease {
 public:
  explicit Lease(StagingPool& pool) : pool_(pool), area_(pool.Take()) {}
  ~Lease() { pool_.Give(area_); }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  StagingArea& area() { return area_; }

 private:
  StagingPool& pool_;
  StagingArea& area_;
};

}  // namespace

void UploadAndTransformClips(CudaDevice& gpu, const decode::StagedClips& clips, const decode::Normalise& norm,
                             const std::function<void(uint8_t* staging)>& fill, float* out) {
  gpu.MakeCurrent();
  Lease lease(PoolFor(gpu.index()));
  StagingArea& area = lease.area();
  area.Reserve(clips.bytes);
  fill(area.host.get());
  // the device copy of this area may still be read by the transform of its previous batch
  CheckCuda(cudaStreamWaitEvent(gpu.copyStream(), area.read.get(), 0), "cudaStreamWaitEvent (clip staging)");
  CheckCuda(cudaMemcpyAsync(area.device.get(), area.host.get(), clips.bytes, cudaMemcpyHostToDevice, gpu.copyStream()),
            "cudaMemcpyAsync (clip staging)");
  CheckCuda(cudaEventRecord(area.copied.get(), gpu.copyStream()), "cudaEventRecord (clip staging)");
  CheckCuda(cudaStreamWaitEvent(gpu.stream(), area.copied.get(), 0), "cudaStreamWaitEvent (clip upload)");
  decode::TransformStagedCuda(area.device.get(), clips, norm, out, gpu.stream());
  CheckCuda(cudaEventRecord(area.read.get(), gpu.stream()), "cudaEventRecord (clip transform)");
}

}  // namespace mnf::device::cuda
