#include "decode/clip_transform.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#ifdef __SSE2__
#include <immintrin.h>
#endif

namespace mnf::decode {

PixelBox RoundBox(const CropBox& box) {
  return {static_cast<int>(std::lround(box.x)), static_cast<int>(std::lround(box.y)), static_cast<int>(std::lround(box.width)),
          static_cast<int>(std::lround(box.height))};
}

static double Triangle(double x) {
  x = std::fabs(x);
  return x < 1.0 ? 1.0 - x : 0.0;
}

AxisWeights BilinearWeights(int in, int out) {
  const double scale = static_cast<double>(in) / out;
  const double filter_scale = std::max(scale, 1.0);
  const double support = 1.0 * filter_scale;  // the bilinear filter's support is 1
  AxisWeights w;
  w.taps = static_cast<int>(std::ceil(support)) * 2 + 1;
  w.first.resize(out);
  w.count.resize(out);
  w.weights.assign(static_cast<size_t>(out) * w.taps, 0.0f);
  std::vector<double> k(w.taps);
  for (int i = 0; i < out; ++i) {
    const double center = (i + 0.5) * scale;
    int lo = static_cast<int>(center - support + 0.5);  // C truncation, as Pillow
    if (lo < 0) lo = 0;
    int hi = static_cast<int>(center + support + 0.5);
    if (hi > in) hi = in;
    const int n = std::min(hi - lo, w.taps);
    double total = 0;
    for (int x = 0; x < n; ++x) {
      k[x] = Triangle((x + lo - center + 0.5) / filter_scale);
      total += k[x];
    }
    w.first[i] = lo;
    w.count[i] = std::max(n, 0);
    for (int x = 0; x < n; ++x) w.weights[static_cast<size_t>(i) * w.taps + x] = total != 0 ? static_cast<float>(k[x] / total) : 0.0f;
  }
  return w;
}

ResizePlan MakeResizePlan(const PixelBox& box, int size) {
  ResizePlan plan{box, size, BilinearWeights(box.width, size), BilinearWeights(box.height, size), {}, {}};
  const int taps = plan.x.taps;
  plan.x_lanes.resize(plan.x.weights.size() * 4);
  for (size_t i = 0; i < plan.x.weights.size(); ++i) std::fill_n(plan.x_lanes.begin() + i * 4, 4, plan.x.weights[i]);
  plan.x_pairs.resize(static_cast<size_t>(size / 2) * taps * 8);
  for (int pair = 0; pair < size / 2; ++pair) {
    for (int t = 0; t < taps; ++t) {
      float* lanes = plan.x_pairs.data() + (static_cast<size_t>(pair) * taps + t) * 8;
      std::fill_n(lanes, 4, plan.x.weights[static_cast<size_t>(2 * pair) * taps + t]);
      std::fill_n(lanes + 4, 4, plan.x.weights[static_cast<size_t>(2 * pair + 1) * taps + t]);
    }
  }
  return plan;
}

namespace {

// Vertical pass over the crop's columns into (size, crop width, 3) floats: contiguous rows, so it
// vectorises (SSE; VerticalPassAvx2 below is the AVX2 path). No FMA anywhere: every build and the
// CUDA twin round the same way.
void VerticalPass(const uint8_t* crop, int stride, const ResizePlan& plan, float* vertical) {
  const int row_floats = plan.box.width * 3;
  for (int j = 0; j < plan.size; ++j) {
    float* acc = vertical + static_cast<size_t>(j) * row_floats;
    const float* k = plan.y.weights.data() + static_cast<size_t>(j) * plan.y.taps;
    const int count = plan.y.count[j];
    if (count == 0) {
      std::fill(acc, acc + row_floats, 0.0f);
      continue;
    }
    // the first tap is stored, not added to zero: 0 + w * p is exactly w * p (w, p >= 0)
    const uint8_t* first = crop + static_cast<size_t>(plan.y.first[j]) * stride * 3;
    for (int e = 0; e < row_floats; ++e) acc[e] = k[0] * static_cast<float>(first[e]);
    for (int t = 1; t < count; ++t) {
      const uint8_t* src = crop + static_cast<size_t>(plan.y.first[j] + t) * stride * 3;
      const float w = k[t];
      for (int e = 0; e < row_floats; ++e) acc[e] += w * static_cast<float>(src[e]);
    }
  }
}


#ifdef __x86_64__
// 8 bytes → 8 floats.
__attribute__((target("avx2"))) inline __m256 Load8(const uint8_t* p) {
  return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))));
}

// The same pass with 32 columns at a time kept in registers across the taps (the plain loop loads
// and stores the row of sums once per tap); per element the same products and sums in the same order.
__attribute__((target("avx2"))) void VerticalPassAvx2(const uint8_t* crop, int stride, const ResizePlan& plan, float* vertical) {
  const int row_floats = plan.box.width * 3;
  const size_t src_stride = static_cast<size_t>(stride) * 3;
  for (int j = 0; j < plan.size; ++j) {
    float* acc = vertical + static_cast<size_t>(j) * row_floats;
    const float* k = plan.y.weights.data() + static_cast<size_t>(j) * plan.y.taps;
    const int count = plan.y.count[j];
    if (count == 0) {
      std::fill(acc, acc + row_floats, 0.0f);
      continue;
    }
    const uint8_t* first = crop + static_cast<size_t>(plan.y.first[j]) * src_stride;
    int e = 0;
    for (; e + 32 <= row_floats; e += 32) {
      const __m256 w0 = _mm256_set1_ps(k[0]);
      __m256 a0 = _mm256_mul_ps(w0, Load8(first + e));
      __m256 a1 = _mm256_mul_ps(w0, Load8(first + e + 8));
      __m256 a2 = _mm256_mul_ps(w0, Load8(first + e + 16));
      __m256 a3 = _mm256_mul_ps(w0, Load8(first + e + 24));
      for (int t = 1; t < count; ++t) {
        const uint8_t* src = first + t * src_stride + e;
        const __m256 w = _mm256_set1_ps(k[t]);
        a0 = _mm256_add_ps(a0, _mm256_mul_ps(w, Load8(src)));
        a1 = _mm256_add_ps(a1, _mm256_mul_ps(w, Load8(src + 8)));
        a2 = _mm256_add_ps(a2, _mm256_mul_ps(w, Load8(src + 16)));
        a3 = _mm256_add_ps(a3, _mm256_mul_ps(w, Load8(src + 24)));
      }
      _mm256_storeu_ps(acc + e, a0);
      _mm256_storeu_ps(acc + e + 8, a1);
      _mm256_storeu_ps(acc + e + 16, a2);
      _mm256_storeu_ps(acc + e + 24, a3);
    }
    for (; e + 8 <= row_floats; e += 8) {
      __m256 a = _mm256_mul_ps(_mm256_set1_ps(k[0]), Load8(first + e));
      for (int t = 1; t < count; ++t) a = _mm256_add_ps(a, _mm256_mul_ps(_mm256_set1_ps(k[t]), Load8(first + t * src_stride + e)));
      _mm256_storeu_ps(acc + e, a);
    }
    for (; e < row_floats; ++e) {
      float a = k[0] * static_cast<float>(first[e]);
      for (int t = 1; t < count; ++t) a += k[t] * static_cast<float>(first[t * src_stride + e]);
      acc[e] = a;
    }
  }
}
#endif

void AffineLanes(const Normalise& norm, float scale[4], float shift[4]) {
  for (int c = 0; c < 3; ++c) {
    scale[c] = 1.0f / (255.0f * norm.std[c]);
    shift[c] = -norm.mean[c] / norm.std[c];
  }
  scale[3] = shift[3] = 0.0f;
}

// Horizontal pass, normalise, mirror. One pixel (R, G, B, next R) per 4-lane register: lane-wise the
// same operations, in the same order, as the scalar form c += k * p (and as the CUDA twin).
void HorizontalPass(const float* vertical, const ResizePlan& plan, bool flip, const Normalise& norm, float* out) {
  const int size = plan.size;
  const int row_floats = plan.box.width * 3;
  float scale[4], shift[4];
  AffineLanes(norm, scale, shift);
#ifdef __SSE2__
  const __m128 scale4 = _mm_loadu_ps(scale), shift4 = _mm_loadu_ps(shift);
#endif
  for (int j = 0; j < size; ++j) {
    const float* row = vertical + static_cast<size_t>(j) * row_floats;
    float* dst = out + static_cast<size_t>(j) * size * 3;
    for (int i = 0; i < size; ++i) {
      const float* p = row + static_cast<size_t>(plan.x.first[i]) * 3;
      const int o = (flip ? size - 1 - i : i) * 3;
#ifdef __SSE2__
      // all `taps` taps: the weights past count[i] are zero and add exactly nothing, and a fixed trip
      // count keeps the branch predictable (the buffer is padded for the reads past the row)
      const int n = plan.x.taps;
      const float* k4 = plan.x_lanes.data() + static_cast<size_t>(i) * plan.x.taps * 4;
      __m128 acc = _mm_setzero_ps();
      for (int t = 0; t < n; ++t) acc = _mm_add_ps(acc, _mm_mul_ps(_mm_loadu_ps(k4 + t * 4), _mm_loadu_ps(p + t * 3)));
      alignas(16) float v[4];
      _mm_store_ps(v, _mm_add_ps(_mm_mul_ps(acc, scale4), shift4));
      dst[o + 0] = v[0];
      dst[o + 1] = v[1];
      dst[o + 2] = v[2];
#else
      const int n = plan.x.count[i];
      const float* k = plan.x.weights.data() + static_cast<size_t>(i) * plan.x.taps;
      float c0 = 0, c1 = 0, c2 = 0;
      for (int t = 0; t < n; ++t) {
        c0 += k[t] * p[t * 3 + 0];
        c1 += k[t] * p[t * 3 + 1];
        c2 += k[t] * p[t * 3 + 2];
      }
      dst[o + 0] = c0 * scale[0] + shift[0];
      dst[o + 1] = c1 * scale[1] + shift[1];
      dst[o + 2] = c2 * scale[2] + shift[2];
#endif
    }
  }
}

#ifdef __x86_64__
// The same pass with two output pixels per 8-lane register (outputs 2m and 2m + 1); lane-wise the
// same operations in the same order as HorizontalPass, so the same numbers.
__attribute__((target("avx2"))) void HorizontalPassAvx2(const float* vertical, const ResizePlan& plan, bool flip,
                                                        const Normalise& norm, float* out) {
  const int size = plan.size;
  const int taps = plan.x.taps;
  const int row_floats = plan.box.width * 3;
  float scale[4], shift[4];
  AffineLanes(norm, scale, shift);
  const __m256 scale8 = _mm256_set_m128(_mm_loadu_ps(scale), _mm_loadu_ps(scale));
  const __m256 shift8 = _mm256_set_m128(_mm_loadu_ps(shift), _mm_loadu_ps(shift));
  const __m128 scale4 = _mm_loadu_ps(scale), shift4 = _mm_loadu_ps(shift);
  for (int j = 0; j < size; ++j) {
    const float* row = vertical + static_cast<size_t>(j) * row_floats;
    float* dst = out + static_cast<size_t>(j) * size * 3;
    int i = 0;
    for (; i + 1 < size; i += 2) {
      const float* p0 = row + static_cast<size_t>(plan.x.first[i]) * 3;
      const float* p1 = row + static_cast<size_t>(plan.x.first[i + 1]) * 3;
      const float* k8 = plan.x_pairs.data() + static_cast<size_t>(i / 2) * taps * 8;
      // the taps past both outputs' counts have zero weights and would add exactly nothing
      const int n = std::max(plan.x.count[i], plan.x.count[i + 1]);
      __m256 acc = _mm256_setzero_ps();
      for (int t = 0; t < n; ++t) {
        const __m256 pixels = _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps(p0 + t * 3)), _mm_loadu_ps(p1 + t * 3), 1);
        acc = _mm256_add_ps(acc, _mm256_mul_ps(_mm256_loadu_ps(k8 + t * 8), pixels));
      }
      alignas(32) float v[8];
      _mm256_store_ps(v, _mm256_add_ps(_mm256_mul_ps(acc, scale8), shift8));
      const int o0 = (flip ? size - 1 - i : i) * 3;
      const int o1 = (flip ? size - 2 - i : i + 1) * 3;
      dst[o0 + 0] = v[0];
      dst[o0 + 1] = v[1];
      dst[o0 + 2] = v[2];
      dst[o1 + 0] = v[4];
      dst[o1 + 1] = v[5];
      dst[o1 + 2] = v[6];
    }
    for (; i < size; ++i) {  // odd size: the last pixel alone
      const float* p = row + static_cast<size_t>(plan.x.first[i]) * 3;
      const float* k4 = plan.x_lanes.data() + static_cast<size_t>(i) * taps * 4;
      __m128 acc = _mm_setzero_ps();
      for (int t = 0; t < taps; ++t) acc = _mm_add_ps(acc, _mm_mul_ps(_mm_loadu_ps(k4 + t * 4), _mm_loadu_ps(p + t * 3)));
      alignas(16) float v[4];
      _mm_store_ps(v, _mm_add_ps(_mm_mul_ps(acc, scale4), shift4));
      const int o = (flip ? size - 1 - i : i) * 3;
      dst[o + 0] = v[0];
      dst[o + 1] = v[1];
      dst[o + 2] = v[2];
    }
  }
}

// MNF_DECODE_NO_AVX2=1 forces the SSE pass (tests compare the two).
bool HasAvx2() {
  static const bool has = __builtin_cpu_supports("avx2") && !std::getenv("MNF_DECODE_NO_AVX2");
  return has;
}
#endif

}  // namespace

void CropResizeNormalise(const uint8_t* rgb, int stride, int origin_x, int origin_y, const ResizePlan& plan, bool flip,
                         const Normalise& norm, float* out) {
  const int size = plan.size;
  const int row_floats = plan.box.width * 3;
  thread_local std::vector<float> vertical;
  // padding: the horizontal pass reads up to `taps` pixels (+1 float) past a row's last used pixel
  const size_t used = static_cast<size_t>(size) * row_floats;
  vertical.resize(used + static_cast<size_t>(plan.x.taps) * 3 + 4);
  std::fill(vertical.begin() + used, vertical.end(), 0.0f);
  const uint8_t* crop = rgb + (static_cast<size_t>(plan.box.y - origin_y) * stride + (plan.box.x - origin_x)) * 3;
#ifdef __x86_64__
  if (HasAvx2()) {
    VerticalPassAvx2(crop, stride, plan, vertical.data());
    return HorizontalPassAvx2(vertical.data(), plan, flip, norm, out);
  }
#endif
  VerticalPass(crop, stride, plan, vertical.data());
  HorizontalPass(vertical.data(), plan, flip, norm, out);
}

}  // namespace mnf::decode
