// The GPU twin of CropResizeNormalise: same weights (computed on the host by MakeResizePlan), same
// float operation order without FMA contraction, so it gives the CPU path's numbers. A batch reaches
// the GPU as one staging area (laid out by ClipStaging): every frame's crop, every clip's filter taps
// and one descriptor per frame; one copy uploads it, one launch transforms every frame. Only built
// with MNF_WITH_CUDA (the .cu file); the header is plain C++.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "decode/clip_transform.h"
#include "decode/jpeg_codec.h"

struct CUstream_st;  // cudaStream_t, without the CUDA headers

namespace mnf::decode {

// Byte offsets into the staging area of one clip's taps (ResizePlan's AxisWeights): int first[S],
// int count[S], float weights[S * taps] per axis.
struct StagedPlan {
  uint64_t first_x, count_x, weights_x;
  uint64_t first_y, count_y, weights_y;
  int32_t taps_x, taps_y;
};

// One output frame: its crop (box.height rows of box.width RGB pixels, no padding) and its clip's plan.
struct StagedFrame {
  uint64_t crop;   // byte offset
  uint32_t plan;   // index into the plans
  int32_t width;   // crop width in pixels (its row stride)
  int32_t flip;    // 1 = mirror left-right
  int32_t valid;   // 0: the clip failed to decode; the frame is written as zeros (as the CPU path does)
};

// A laid-out batch: frame f is written to out + f * size * size * 3.
struct StagedClips {
  int size = 0;
  int frames = 0;
  uint64_t frames_at = 0;  // offset of StagedFrame[frames]
  uint64_t plans_at = 0;   // offset of StagedPlan[plans]
  uint64_t bytes = 0;      // the whole area
};

// Lays out a batch (AddPlan, AddFrame, then Finish) and writes it into host memory of Finish().bytes.
class ClipStaging {
 public:
  // The taps of one clip; returns its index for AddFrame. The plan must outlive the staging.
  uint32_t AddPlan(const ResizePlan& plan);
  // The next output frame. A valid frame reserves room for its plan's crop.
  void AddFrame(uint32_t plan, bool flip, bool valid);
  StagedClips Finish(int size);
  // The descriptors and taps (everything but the crops).
  void WriteLayout(uint8_t* staging) const;
  // Frame `frame`'s crop, cut out of its decoded region (which holds the plan's box).
  void WriteCrop(uint8_t* staging, size_t frame, const RgbImage& region) const;
  void WriteCrop(uint8_t* staging, size_t frame, const uint8_t* rgb, int stride, int origin_x, int origin_y) const;

 private:
  std::vector<const ResizePlan*> plans_;
  std::vector<StagedPlan> staged_plans_;
  std::vector<StagedFrame> frames_;
  uint64_t end_ = 0;  // bytes of taps and crops so far (laid out after the descriptors by Finish)
  StagedClips clips_;
};

// Transforms a staging area already on the device into `out` (device memory, frames * S * S * 3
// floats), queued on `stream` (null: the legacy default stream). Throws std::runtime_error naming the
// CUDA error when the launch fails.
void TransformStagedCuda(const uint8_t* staging, const StagedClips& clips, const Normalise& norm, float* out, CUstream_st* stream);

struct FrameJob {
  const uint8_t* rgb = nullptr;  // decoded region, host memory
  int width = 0;                 // region width (row stride in pixels)
  int height = 0;
  int origin_x = 0;
  int origin_y = 0;
  const ResizePlan* plan = nullptr;
  bool flip = false;
  float* out = nullptr;  // host memory, (size, size, 3)
};

// Host memory in, host memory out (decodeClips({device: 'cuda'})): stages the jobs, transforms them on
// the current device and copies the frames back. Returns false and sets `error` when a CUDA call fails.
bool CropResizeNormaliseCuda(const std::vector<FrameJob>& jobs, const Normalise& norm, std::string& error);

}  // namespace mnf::decode
