#include <cuda_runtime.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <unordered_map>

#include "decode/clip_transform_cuda.h"

namespace mnf::decode {

namespace {

constexpr uint64_t kAlign = 16;

uint64_t AlignUp(uint64_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

void Check(cudaError_t status, const char* what) {
  if (status != cudaSuccess) throw std::runtime_error(std::string("CUDA clip transform: ") + what + ": " + cudaGetErrorString(status));
}

struct Affine {
  float scale[3];
  float shift[3];
};

// As the CPU path's AffineLanes: (x / 255 - mean) / std as x * scale + shift.
Affine AffineOf(const Normalise& norm) {
  Affine affine;
  for (int c = 0; c < 3; ++c) {
    affine.scale[c] = 1.0f / (255.0f * norm.std[c]);
    affine.shift[c] = -norm.mean[c] / norm.std[c];
  }
  return affine;
}

// One thread per output pixel (frame f, row j, column i), grid-stride. The vertical pass's value at
// each source column the horizontal taps read is recomputed in place (no intermediate buffer): per
// value the same products and sums, in the same order, as the CPU's VerticalPass (its first tap is
// stored, here added to 0, which is exact: weights and pixels are >= 0), then the horizontal taps
// and the affine as HorizontalPass. __fmul_rn/__fadd_rn keep nvcc from contracting them into FMAs.
__global__ void StagedTransform(const uint8_t* staging, StagedClips clips, Affine affine, float* out) {
  const int size = clips.size;
  const long long per_frame = static_cast<long long>(size) * size;
  const long long pixels = per_frame * clips.frames;
  const StagedFrame* frames = reinterpret_cast<const StagedFrame*>(staging + clips.frames_at);
  const StagedPlan* plans = reinterpret_cast<const StagedPlan*>(staging + clips.plans_at);
  for (long long p = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; p < pixels;
       p += static_cast<long long>(gridDim.x) * blockDim.x) {
    const int f = static_cast<int>(p / per_frame);
    const int j = static_cast<int>(p % per_frame) / size;
    const int i = static_cast<int>(p % size);
    const StagedFrame frame = frames[f];
    float* dst = out + (static_cast<size_t>(f) * per_frame + static_cast<size_t>(j) * size + (frame.flip ? size - 1 - i : i)) * 3;
    if (!frame.valid) {
      dst[0] = dst[1] = dst[2] = 0.0f;
      continue;
    }
    const StagedPlan plan = plans[frame.plan];
    const int first_y = reinterpret_cast<const int*>(staging + plan.first_y)[j];
    const int count_y = reinterpret_cast<const int*>(staging + plan.count_y)[j];
    const float* k_y = reinterpret_cast<const float*>(staging + plan.weights_y) + static_cast<size_t>(j) * plan.taps_y;
    const int first_x = reinterpret_cast<const int*>(staging + plan.first_x)[i];
    const int count_x = reinterpret_cast<const int*>(staging + plan.count_x)[i];
    const float* k_x = reinterpret_cast<const float*>(staging + plan.weights_x) + static_cast<size_t>(i) * plan.taps_x;
    const size_t row = static_cast<size_t>(frame.width) * 3;
    const uint8_t* top = staging + frame.crop + static_cast<size_t>(first_y) * row;
    float c0 = 0.f, c1 = 0.f, c2 = 0.f;
    for (int t = 0; t < count_x; ++t) {
      const uint8_t* column = top + static_cast<size_t>(first_x + t) * 3;
      float v0 = 0.f, v1 = 0.f, v2 = 0.f;
      for (int u = 0; u < count_y; ++u) {
        const uint8_t* px = column + u * row;
        const float w = k_y[u];
        v0 = __fadd_rn(v0, __fmul_rn(w, static_cast<float>(px[0])));
        v1 = __fadd_rn(v1, __fmul_rn(w, static_cast<float>(px[1])));
        v2 = __fadd_rn(v2, __fmul_rn(w, static_cast<float>(px[2])));
      }
      const float w = k_x[t];
      c0 = __fadd_rn(c0, __fmul_rn(w, v0));
      c1 = __fadd_rn(c1, __fmul_rn(w, v1));
      c2 = __fadd_rn(c2, __fmul_rn(w, v2));
    }
    dst[0] = __fadd_rn(__fmul_rn(c0, affine.scale[0]), affine.shift[0]);
    dst[1] = __fadd_rn(__fmul_rn(c1, affine.scale[1]), affine.shift[1]);
    dst[2] = __fadd_rn(__fmul_rn(c2, affine.scale[2]), affine.shift[2]);
  }
}

struct DeviceFree {
  void operator()(void* p) const { cudaFree(p); }
};

template <typename T>
std::unique_ptr<T, DeviceFree> DeviceAlloc(size_t count) {
  void* p = nullptr;
  Check(cudaMalloc(&p, std::max<size_t>(count, 1) * sizeof(T)), "cudaMalloc");
  return std::unique_ptr<T, DeviceFree>(static_cast<T*>(p));
}

}  // namespace

uint32_t ClipStaging::AddPlan(const ResizePlan& plan) {
  const uint64_t s = static_cast<uint64_t>(plan.size);
  auto take = [&](uint64_t bytes) {
    const uint64_t at = end_;
    end_ = AlignUp(end_ + bytes);
    return at;
  };
  StagedPlan staged;
  staged.first_x = take(s * sizeof(int));
  staged.count_x = take(s * sizeof(int));
  staged.weights_x = take(plan.x.weights.size() * sizeof(float));
  staged.first_y = take(s * sizeof(int));
  staged.count_y = take(s * sizeof(int));
  staged.weights_y = take(plan.y.weights.size() * sizeof(float));
  staged.taps_x = plan.x.taps;
  staged.taps_y = plan.y.taps;
  plans_.push_back(&plan);
  staged_plans_.push_back(staged);
  return static_cast<uint32_t>(plans_.size() - 1);
}

void ClipStaging::AddFrame(uint32_t plan, bool flip, bool valid) {
  StagedFrame frame{};
  frame.plan = plan;
  frame.flip = flip ? 1 : 0;
  frame.valid = valid ? 1 : 0;
  if (valid) {
    const PixelBox& box = plans_.at(plan)->box;
    frame.width = box.width;
    frame.crop = end_;
    end_ = AlignUp(end_ + static_cast<uint64_t>(box.width) * box.height * 3);
  }
  frames_.push_back(frame);
}

StagedClips ClipStaging::Finish(int size) {
  clips_.size = size;
  clips_.frames = static_cast<int>(frames_.size());
  clips_.frames_at = 0;
  clips_.plans_at = AlignUp(frames_.size() * sizeof(StagedFrame));
  const uint64_t data_at = clips_.plans_at + AlignUp(staged_plans_.size() * sizeof(StagedPlan));
  for (StagedPlan& p : staged_plans_) {
    for (uint64_t* offset : {&p.first_x, &p.count_x, &p.weights_x, &p.first_y, &p.count_y, &p.weights_y}) *offset += data_at;
  }
  for (StagedFrame& f : frames_) {
    if (f.valid) f.crop += data_at;
  }
  clips_.bytes = std::max<uint64_t>(data_at + end_, 1);
  return clips_;
}

void ClipStaging::WriteLayout(uint8_t* staging) const {
  std::memcpy(staging + clips_.frames_at, frames_.data(), frames_.size() * sizeof(StagedFrame));
  std::memcpy(staging + clips_.plans_at, staged_plans_.data(), staged_plans_.size() * sizeof(StagedPlan));
  for (size_t i = 0; i < plans_.size(); ++i) {
    const ResizePlan& plan = *plans_[i];
    const StagedPlan& at = staged_plans_[i];
    auto put = [&](uint64_t offset, const auto& values) {
      std::memcpy(staging + offset, values.data(), values.size() * sizeof(values[0]));
    };
    put(at.first_x, plan.x.first);
    put(at.count_x, plan.x.count);
    put(at.weights_x, plan.x.weights);
    put(at.first_y, plan.y.first);
    put(at.count_y, plan.y.count);
    put(at.weights_y, plan.y.weights);
  }
}

void ClipStaging::WriteCrop(uint8_t* staging, size_t frame, const RgbImage& region) const {
  WriteCrop(staging, frame, region.pixels.data(), region.width, region.origin_x, region.origin_y);
}

void ClipStaging::WriteCrop(uint8_t* staging, size_t frame, const uint8_t* rgb, int stride, int origin_x, int origin_y) const {
  const StagedFrame& f = frames_.at(frame);
  if (!f.valid) return;
  const PixelBox& box = plans_[f.plan]->box;
  const size_t row = static_cast<size_t>(box.width) * 3;
  uint8_t* dst = staging + f.crop;
  for (int r = 0; r < box.height; ++r) {
    const uint8_t* src = rgb + (static_cast<size_t>(box.y - origin_y + r) * stride + (box.x - origin_x)) * 3;
    std::memcpy(dst + r * row, src, row);
  }
}

void TransformStagedCuda(const uint8_t* staging, const StagedClips& clips, const Normalise& norm, float* out, CUstream_st* stream) {
  if (clips.frames == 0) return;
  const long long pixels = static_cast<long long>(clips.frames) * clips.size * clips.size;
  const unsigned threads = 256;
  const long long blocks = std::min<long long>((pixels + threads - 1) / threads, 65535ll * 8);
  StagedTransform<<<static_cast<unsigned>(blocks), threads, 0, stream>>>(staging, clips, AffineOf(norm), out);
  Check(cudaGetLastError(), "StagedTransform launch");
}

bool CropResizeNormaliseCuda(const std::vector<FrameJob>& jobs, const Normalise& norm, std::string& error) {
  if (jobs.empty()) return true;
  try {
    ClipStaging staging;
    std::unordered_map<const ResizePlan*, uint32_t> plan_index;
    for (const FrameJob& job : jobs) {
      auto found = plan_index.find(job.plan);
      if (found == plan_index.end()) found = plan_index.emplace(job.plan, staging.AddPlan(*job.plan)).first;
      staging.AddFrame(found->second, job.flip, true);
    }
    const int size = jobs[0].plan->size;
    const StagedClips clips = staging.Finish(size);
    std::vector<uint8_t> host(clips.bytes);
    staging.WriteLayout(host.data());
    for (size_t f = 0; f < jobs.size(); ++f) staging.WriteCrop(host.data(), f, jobs[f].rgb, jobs[f].width, jobs[f].origin_x, jobs[f].origin_y);
    const size_t frame_floats = static_cast<size_t>(size) * size * 3;
    auto staged = DeviceAlloc<uint8_t>(clips.bytes);
    auto out = DeviceAlloc<float>(frame_floats * jobs.size());
    Check(cudaMemcpy(staged.get(), host.data(), clips.bytes, cudaMemcpyHostToDevice), "cudaMemcpy (staging)");
    TransformStagedCuda(staged.get(), clips, norm, out.get(), nullptr);
    for (size_t f = 0; f < jobs.size(); ++f) {
      Check(cudaMemcpy(jobs[f].out, out.get() + f * frame_floats, frame_floats * sizeof(float), cudaMemcpyDeviceToHost), "cudaMemcpy (frames)");
    }
    return true;
  } catch (const std::exception& e) {
    error = e.what();
    return false;
  }
}

}  // namespace mnf::decode
