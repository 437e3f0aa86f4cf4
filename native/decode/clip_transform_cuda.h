// The GPU twin of CropResizeNormalise: same weights (computed on the host by BilinearWeights), same
// float operation order without FMA contraction, so it gives the CPU path's numbers.
#pragma once
#include <string>
#include <vector>

#include "decode/clip_transform.h"

namespace mnf::decode {

struct FrameJob {
  const uint8_t* rgb = nullptr;
  int width = 0;
  int height = 0;
  CropBox box;
  bool flip = false;
  float* out = nullptr;  // host memory, (size, size, 3)
};

// Returns false and sets `error` when a CUDA call fails. Only built with MNF_WITH_CUDA.
bool CropResizeNormaliseCuda(const std::vector<FrameJob>& jobs, int size, const Normalise& norm, std::string& error);

}  // namespace mnf::decode
