// Batch decode: for each clip, read its frames from the HDF5 file, decode the JPEGs and write the
// transformed floats into its slice of one (B, T, S, S, 3) buffer. Clips run in parallel on the
// decode pool; a clip that fails gets zeros and an error message, the others are unaffected.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "decode/clip_transform.h"

namespace mnf::decode {

struct ClipRequest {
  std::string path;
  std::vector<int64_t> frames;  // T indices into the video
  CropBox box;
  bool flip = false;
};

enum class Device { kCpu, kCuda };

// out holds clips.size() * T * size * size * 3 floats. decode_only skips the transform (baseline
// for benchmarks; out is left untouched). Returns one message per clip, empty when it succeeded.
std::vector<std::string> DecodeClips(const std::vector<ClipRequest>& clips, int size, const Normalise& norm, Device device,
                                     bool decode_only, float* out);

struct VideoProbe {
  int64_t frames = 0;
  int width = 0;
  int height = 0;
  std::string error;
};

// Frame count and first-frame size; `deep` decodes every frame to find corrupt ones.
VideoProbe ProbeVideo(const std::string& path, bool deep);

}  // namespace mnf::decode
