// Crop + resize + flip + normalise of decoded RGB frames into float32 (H, W, 3).
// The resize is Pillow's BILINEAR resample with a float crop box (Image.resize(size, BILINEAR,
// box)): a triangle filter widened by the downscale factor (antialiasing), computed separably in
// float without Pillow's 8-bit intermediate rounding.
#pragma once
#include <cstdint>
#include <vector>

namespace mnf::decode {

// Source region in pixels of the decoded frame (x0, y0, width, height); may be fractional.
struct CropBox {
  float x = 0, y = 0, width = 0, height = 0;
};

struct Normalise {
  float mean[3] = {0.485f, 0.456f, 0.406f};
  float std[3] = {0.229f, 0.224f, 0.225f};
};

// Filter taps of one axis: for output i, weights[i * taps .. +taps) apply to source first[i] + k.
struct AxisWeights {
  int taps = 0;
  std::vector<int> first;
  std::vector<float> weights;
};

// Pillow's precompute_coeffs for the bilinear filter, for `out` outputs covering
// [start, start + length) of an axis of `in` pixels.
AxisWeights BilinearWeights(int in, float start, float length, int out);

// Writes (size, size, 3) floats: ((resampled / 255) - mean) / std, mirrored left-right when flip.
void CropResizeNormalise(const uint8_t* rgb, int width, int height, const CropBox& box, int size, bool flip,
                         const Normalise& norm, float* out);

}  // namespace mnf::decode
