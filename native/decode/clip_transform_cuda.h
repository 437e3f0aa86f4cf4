// The GPU twin of CropResizeNormalise: same weights (computed on the host by MakeResizePlan), same
// pass order and float operation order without FMA contraction, so it gives the CPU path's numbers.
#pragma once
#include <string>
#include <vector>

#include "decode/clip_transform.h"

namespace mnf::decode {

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

// Returns false and sets `error` when a CUDA call fails. Only built with MNF_WITH_CUDA.
bool CropResizeNormaliseCuda(const std::vector<FrameJob>& jobs, const Normalise& norm, std::string& error);

}  // namespace mnf::decode
