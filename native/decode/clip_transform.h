// Crop + resize + flip + normalise of decoded RGB frames into float32 (H, W, 3), as the seed's
// torchvision transforms on PIL images: crop an integer box, resize it with Pillow's BILINEAR
// resample (a triangle filter widened by the downscale factor, i.e. antialiased; Pillow's
// precompute_coeffs), mirror, then (x / 255 - mean) / std. Computed in float, separably, vertical
// pass first, without Pillow's 8-bit rounding between passes.
#pragma once
#include <cstdint>
#include <vector>

namespace mnf::decode {

// Source region in pixels (x0, y0, width, height); rounded to whole pixels before use.
struct CropBox {
  float x = 0, y = 0, width = 0, height = 0;
};

struct PixelBox {
  int x = 0, y = 0, width = 0, height = 0;
};

PixelBox RoundBox(const CropBox& box);

struct Normalise {
  float mean[3] = {0.485f, 0.456f, 0.406f};
  float std[3] = {0.229f, 0.224f, 0.225f};
};

// Filter taps of one axis: output i reads source first[i] + t, t < count[i], with weights[i * taps + t].
struct AxisWeights {
  int taps = 0;
  std::vector<int> first;
  std::vector<int> count;
  std::vector<float> weights;
};

// Pillow's precompute_coeffs for the bilinear filter: `out` outputs from an axis of `in` pixels.
AxisWeights BilinearWeights(int in, int out);

// The weights of one crop box and output size (shared by every frame of a clip). x_lanes holds each
// horizontal weight four times (one per lane of a pixel register).
struct ResizePlan {
  PixelBox box;
  int size = 0;
  AxisWeights x, y;
  std::vector<float> x_lanes;
  // the weights of outputs 2m and 2m + 1 side by side, 4 lanes each (the AVX2 pass)
  std::vector<float> x_pairs;
};
ResizePlan MakeResizePlan(const PixelBox& box, int size);

// `rgb` is an image region whose pixel (0, 0) is at (origin_x, origin_y) of the frame, `stride`
// pixels per row; the plan's box must lie inside it. Writes (size, size, 3) floats.
void CropResizeNormalise(const uint8_t* rgb, int stride, int origin_x, int origin_y, const ResizePlan& plan, bool flip,
                         const Normalise& norm, float* out);

}  // namespace mnf::decode
