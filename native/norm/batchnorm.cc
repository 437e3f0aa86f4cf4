#include "norm/batchnorm.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace mnf::norm {
namespace {

// Rows per chunk: about 16K elements (64 KB of floats), a function of the shape only.
constexpr int64_t kChunkElements = 1 << 14;
// Below this many elements the passes run on the calling thread (waking the team costs more).
constexpr int64_t kParallelMin = 1 << 16;

struct Chunks {
  int64_t rowsPerChunk;
  int64_t count;
};

Chunks SplitRows(int64_t rows, int64_t channels) {
  const int64_t per = std::max<int64_t>(1, kChunkElements / channels);
  return {per, (rows + per - 1) / per};
}

// Runs body(chunk, firstRow, endRow) for every chunk, in parallel when the matrix is large.
template <typename Body>
void ForChunks(const Chunks& chunks, int64_t rows, int64_t channels, Body&& body) {
  const bool parallel = rows * channels >= kParallelMin && chunks.count > 1;
#pragma omp parallel for schedule(static) if (parallel)
  for (int64_t k = 0; k < chunks.count; ++k) {
    const int64_t begin = k * chunks.rowsPerChunk;
    body(k, begin, std::min(rows, begin + chunks.rowsPerChunk));
  }
}

// Adds the chunks' partials (count × width doubles) in chunk order into total (width).
void ReduceInOrder(const std::vector<double>& partial, int64_t count, int64_t width, std::vector<double>& total) {
  total.assign(static_cast<size_t>(width), 0.0);
  for (int64_t k = 0; k < count; ++k) {
    const double* p = partial.data() + k * width;
    for (int64_t j = 0; j < width; ++j) total[j] += p[j];
  }
}

}  // namespace

void TrainForward(const float* x, int64_t rows, int64_t channels, const float* gamma, const float* beta, double eps, bool relu,
                  const TrainForwardOut& out) {
  const int64_t c = channels;
  const Chunks chunks = SplitRows(rows, c);
  // Sums of (x − x[0]) and its square: shifting by the first row keeps E[d²] − E[d]² accurate
  // when |mean| is large against the spread.
  const float* shift = x;
  std::vector<double> partial(static_cast<size_t>(chunks.count * 2 * c));
  ForChunks(chunks, rows, c, [&](int64_t k, int64_t begin, int64_t end) {
    double* sum = partial.data() + k * 2 * c;
    double* sumSq = sum + c;
    std::fill(sum, sum + 2 * c, 0.0);
    for (int64_t r = begin; r < end; ++r) {
      const float* row = x + r * c;
      for (int64_t j = 0; j < c; ++j) {
        const double d = static_cast<double>(row[j] - shift[j]);
        sum[j] += d;
        sumSq[j] += d * d;
      }
    }
  });
  std::vector<double> total;
  ReduceInOrder(partial, chunks.count, 2 * c, total);

  // the affine pass computes in double from double coefficients (as the JS host twin does)
  std::vector<double> scale(static_cast<size_t>(c)), offset(static_cast<size_t>(c));
  const double n = static_cast<double>(rows);
  for (int64_t j = 0; j < c; ++j) {
    const double meanShifted = total[j] / n;
    const double variance = std::max(total[c + j] / n - meanShifted * meanShifted, 0.0);
    const double mean = shift[j] + meanShifted;
    const double inv = 1.0 / std::sqrt(variance + eps);
    out.mean[j] = static_cast<float>(mean);
    out.variance[j] = static_cast<float>(variance);
    out.invStd[j] = static_cast<float>(inv);
    const double s = gamma[j] * inv;
    scale[j] = s;
    offset[j] = beta[j] - mean * s;
  }

  const double* sc = scale.data();
  const double* of = offset.data();
  ForChunks(chunks, rows, c, [&](int64_t, int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const float* xr = x + r * c;
      float* yr = out.y + r * c;
      if (relu) {
        for (int64_t j = 0; j < c; ++j) yr[j] = static_cast<float>(std::max(xr[j] * sc[j] + of[j], 0.0));
      } else {
        for (int64_t j = 0; j < c; ++j) yr[j] = static_cast<float>(xr[j] * sc[j] + of[j]);
      }
    }
  });
}

// With x̂ = (x − mean)·invStd and g = dy (masked by y > 0 with relu):
//   dβ = Σg,  dγ = Σ g·x̂ = invStd·Σ g·(x − mean)
//   dx = γ·invStd·(g − Σg/n − x̂·Σg·x̂/n) = scale·g + k·(x − mean) + c0
//   scale = γ·invStd, k = −scale·invStd²·Σg·(x − mean)/n, c0 = −scale·Σg/n
void TrainBackward(const float* dy, const float* x, const float* y, const float* mean, const float* invStd, const float* gamma,
                   int64_t rows, int64_t channels, bool relu, const TrainBackwardOut& out) {
  const int64_t c = channels;
  const Chunks chunks = SplitRows(rows, c);
  const std::vector<double> mu(mean, mean + c);
  const double* m = mu.data();
  std::vector<double> partial(static_cast<size_t>(chunks.count * 2 * c));
  ForChunks(chunks, rows, c, [&](int64_t k, int64_t begin, int64_t end) {
    double* sumG = partial.data() + k * 2 * c;
    double* sumGXc = sumG + c;
    std::fill(sumG, sumG + 2 * c, 0.0);
    for (int64_t r = begin; r < end; ++r) {
      const float* dyr = dy + r * c;
      const float* xr = x + r * c;
      const float* yr = relu ? y + r * c : nullptr;
      for (int64_t j = 0; j < c; ++j) {
        const float g = relu ? (yr[j] > 0.f ? dyr[j] : 0.f) : dyr[j];
        sumG[j] += g;
        sumGXc[j] += static_cast<double>(g) * (xr[j] - m[j]);
      }
    }
  });
  std::vector<double> total;
  ReduceInOrder(partial, chunks.count, 2 * c, total);

  // dx sums three terms that nearly cancel when the variance is small: computed in double
  std::vector<double> scale(static_cast<size_t>(c)), slope(static_cast<size_t>(c)), constant(static_cast<size_t>(c));
  const double n = static_cast<double>(rows);
  for (int64_t j = 0; j < c; ++j) {
    const double inv = invStd[j];
    const double s = gamma[j] * inv;
    out.dBeta[j] = static_cast<float>(total[j]);
    out.dGamma[j] = static_cast<float>(total[c + j] * inv);
    scale[j] = s;
    slope[j] = -s * inv * inv * total[c + j] / n;
    constant[j] = -s * total[j] / n;
  }

  const double* sc = scale.data();
  const double* sl = slope.data();
  const double* co = constant.data();
  ForChunks(chunks, rows, c, [&](int64_t, int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const float* dyr = dy + r * c;
      const float* xr = x + r * c;
      float* dxr = out.dx + r * c;
      if (relu) {
        const float* yr = y + r * c;
        for (int64_t j = 0; j < c; ++j) {
          const double g = yr[j] > 0.f ? dyr[j] : 0.f;
          dxr[j] = static_cast<float>(g * sc[j] + (xr[j] - m[j]) * sl[j] + co[j]);
        }
      } else {
        for (int64_t j = 0; j < c; ++j) dxr[j] = static_cast<float>(dyr[j] * sc[j] + (xr[j] - m[j]) * sl[j] + co[j]);
      }
    }
  });
}

}  // namespace mnf::norm
