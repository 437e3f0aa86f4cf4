#include "decode/clip_transform.h"

#include <algorithm>
#include <cmath>

namespace mnf::decode {

static float Triangle(float x) {
  x = std::fabs(x);
  return x < 1.0f ? 1.0f - x : 0.0f;
}

AxisWeights BilinearWeights(int in, float start, float length, int out) {
  const double scale = static_cast<double>(length) / out;
  const double filter_scale = std::max(scale, 1.0);
  const double support = 1.0 * filter_scale;  // the bilinear filter's support is 1
  AxisWeights w;
  w.taps = static_cast<int>(std::ceil(support)) * 2 + 1;
  w.first.resize(out);
  w.weights.assign(static_cast<size_t>(out) * w.taps, 0.0f);
  for (int i = 0; i < out; ++i) {
    const double center = start + (i + 0.5) * scale;
    int lo = static_cast<int>(center - support + 0.5);  // C truncation, as Pillow
    if (lo < 0) lo = 0;
    int hi = static_cast<int>(center + support + 0.5);
    if (hi > in) hi = in;
    const int n = std::min(hi - lo, w.taps);
    double total = 0;
    std::vector<double> k(std::max(n, 0));
    for (int x = 0; x < n; ++x) {
      k[x] = Triangle(static_cast<float>((x + lo - center + 0.5) / filter_scale));
      total += k[x];
    }
    w.first[i] = lo;
    for (int x = 0; x < n; ++x) w.weights[static_cast<size_t>(i) * w.taps + x] = total != 0 ? static_cast<float>(k[x] / total) : 0.0f;
  }
  return w;
}

void CropResizeNormalise(const uint8_t* rgb, int width, int height, const CropBox& box, int size, bool flip,
                         const Normalise& norm, float* out) {
  const AxisWeights wx = BilinearWeights(width, box.x, box.width, size);
  const AxisWeights wy = BilinearWeights(height, box.y, box.height, size);
  // Rows touched by the vertical filter, resampled horizontally first (Pillow's order).
  const int row_lo = wy.first.front();
  int row_hi = row_lo;
  for (int i = 0; i < size; ++i) row_hi = std::max(row_hi, std::min(wy.first[i] + wy.taps, height));
  const int rows = row_hi - row_lo;
  std::vector<float> horizontal(static_cast<size_t>(rows) * size * 3);
  for (int r = 0; r < rows; ++r) {
    const uint8_t* src = rgb + static_cast<size_t>(r + row_lo) * width * 3;
    float* dst = horizontal.data() + static_cast<size_t>(r) * size * 3;
    for (int i = 0; i < size; ++i) {
      const float* k = wx.weights.data() + static_cast<size_t>(i) * wx.taps;
      const int x0 = wx.first[i];
      const int n = std::min(wx.taps, width - x0);
      float c0 = 0, c1 = 0, c2 = 0;
      for (int t = 0; t < n; ++t) {
        const uint8_t* p = src + static_cast<size_t>(x0 + t) * 3;
        c0 += k[t] * p[0];
        c1 += k[t] * p[1];
        c2 += k[t] * p[2];
      }
      dst[i * 3 + 0] = c0;
      dst[i * 3 + 1] = c1;
      dst[i * 3 + 2] = c2;
    }
  }
  float scale[3], shift[3];
  for (int c = 0; c < 3; ++c) {
    scale[c] = 1.0f / (255.0f * norm.std[c]);
    shift[c] = -norm.mean[c] / norm.std[c];
  }
  for (int j = 0; j < size; ++j) {
    const float* k = wy.weights.data() + static_cast<size_t>(j) * wy.taps;
    const int y0 = wy.first[j] - row_lo;
    const int n = std::min(wy.taps, rows - y0);
    float* dst = out + static_cast<size_t>(j) * size * 3;
    for (int i = 0; i < size; ++i) {
      float c0 = 0, c1 = 0, c2 = 0;
      for (int t = 0; t < n; ++t) {
        const float* p = horizontal.data() + (static_cast<size_t>(y0 + t) * size + i) * 3;
        c0 += k[t] * p[0];
        c1 += k[t] * p[1];
        c2 += k[t] * p[2];
      }
      const int o = (flip ? size - 1 - i : i) * 3;
      dst[o + 0] = c0 * scale[0] + shift[0];
      dst[o + 1] = c1 * scale[1] + shift[1];
      dst[o + 2] = c2 * scale[2] + shift[2];
    }
  }
}

}  // namespace mnf::decode
