#include "norm/batchnorm.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
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

// Runs body(chunk, firstRow, endRow) for every chunk, in parallel when the matrix is large. Chunks
// are handed out dynamically (a thread the OS deschedules on shared cores does not hold up the
// rest); each chunk has its own partial sums, so the result does not depend on who ran it.
template <typename Body>
void ForChunks(const Chunks& chunks, int64_t rows, int64_t channels, Body&& body) {
  const bool parallel = rows * channels >= kParallelMin && chunks.count > 1;
#pragma omp parallel for schedule(dynamic, 1) if (parallel)
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

// Row loops: restrict pointers and integer selects on the float bits so that they vectorise
// (a branch on the sign of zero-mean activations mispredicts half the time, and GCC does not
// if-convert the float compare here).

inline int32_t Bits(float v) {
  int32_t b;
  std::memcpy(&b, &v, sizeof b);
  return b;
}

inline float FromBits(int32_t b) {
  float v;
  std::memcpy(&v, &b, sizeof v);
  return v;
}

// max(v, +0) for a float: a set sign bit clears every bit
inline float Relu(float v) {
  const int32_t b = Bits(v);
  return FromBits(b & ~(b >> 31));
}

// g = dy, or with relu dy where y > 0 else 0 (y ≥ +0 is the ReLU's output: y > 0 ⟺ its bits > 0)
template <bool kRelu>
inline float Masked(float dy, float y) {
  if (!kRelu) return dy;
  return FromBits(Bits(dy) & -static_cast<int32_t>(Bits(y) > 0));
}

// sum += x − shift, sumSq += (x − shift)²
inline void MomentsRow(const float* __restrict x, const float* __restrict shift, double* __restrict sum, double* __restrict sumSq,
                       int64_t c) {
  for (int64_t j = 0; j < c; ++j) {
    const double d = static_cast<double>(x[j]) - static_cast<double>(shift[j]);
    sum[j] += d;
    sumSq[j] += d * d;
  }
}

// y = [ReLU]((x − mean)·scale + beta [+ residual])
template <bool kRelu, bool kResidual>
inline void AffineRow(const float* __restrict x, const float* __restrict residual, const double* __restrict mean,
                      const double* __restrict scale, const double* __restrict beta, float* __restrict y, int64_t c) {
  for (int64_t j = 0; j < c; ++j) {
    float v = static_cast<float>((static_cast<double>(x[j]) - mean[j]) * scale[j] + beta[j]);
    if (kResidual) v += residual[j];
    y[j] = kRelu ? Relu(v) : v;
  }
}

// sumG += g, sumGXc += g·(x − mean)
template <bool kRelu>
inline void GradMomentsRow(const float* __restrict dy, const float* __restrict y, const float* __restrict x,
                           const double* __restrict mean, double* __restrict sumG, double* __restrict sumGXc, int64_t c) {
  for (int64_t j = 0; j < c; ++j) {
    const double g = Masked<kRelu>(dy[j], kRelu ? y[j] : 0.f);
    sumG[j] += g;
    sumGXc[j] += g * (static_cast<double>(x[j]) - mean[j]);
  }
}

// dx = g·scale + (x − mean)·slope + constant [, dResidual = g]
template <bool kRelu, bool kResidual>
inline void GradInputRow(const float* __restrict dy, const float* __restrict y, const float* __restrict x,
                         const double* __restrict mean, const double* __restrict scale, const double* __restrict slope,
                         const double* __restrict constant, float* __restrict dx, float* __restrict dResidual, int64_t c) {
  for (int64_t j = 0; j < c; ++j) {
    const float g = Masked<kRelu>(dy[j], kRelu ? y[j] : 0.f);
    if (kResidual) dResidual[j] = g;
    dx[j] = static_cast<float>(static_cast<double>(g) * scale[j] + (static_cast<double>(x[j]) - mean[j]) * slope[j] + constant[j]);
  }
}

template <bool kRelu, bool kResidual>
void Forward(const float* x, const float* residual, int64_t rows, int64_t c, const float* gamma, const float* beta, double eps, const TrainForwardOut& out) {
  const Chunks chunks = SplitRows(rows, c);
  // Sums of (x − x[0]) and its square: shifting by the first row keeps E[d²] − E[d]² accurate
  // when |mean| is large against the spread.
  const float* shift = x;
  std::vector<double> partial(static_cast<size_t>(chunks.count * 2 * c));
  ForChunks(chunks, rows, c, [&](int64_t k, int64_t begin, int64_t end) {
    double* sum = partial.data() + k * 2 * c;
    double* sumSq = sum + c;
    std::fill(sum, sum + 2 * c, 0.0);
    for (int64_t r = begin; r < end; ++r) MomentsRow(x + r * c, shift, sum, sumSq, c);
  });
  std::vector<double> total;
  ReduceInOrder(partial, chunks.count, 2 * c, total);

  // the affine pass computes in double: (x − mean) with a float mean loses digits when |mean| ≫ spread
  std::vector<double> mean(static_cast<size_t>(c)), scale(static_cast<size_t>(c)), shiftBeta(static_cast<size_t>(c));
  const double n = static_cast<double>(rows);
  for (int64_t j = 0; j < c; ++j) {
    const double meanShifted = total[j] / n;
    const double variance = std::max(total[c + j] / n - meanShifted * meanShifted, 0.0);
    const double inv = 1.0 / std::sqrt(variance + eps);
    mean[j] = shift[j] + meanShifted;
    scale[j] = gamma[j] * inv;
    shiftBeta[j] = beta[j];
    out.mean[j] = static_cast<float>(mean[j]);
    out.variance[j] = static_cast<float>(variance);
    out.invStd[j] = static_cast<float>(inv);
  }
  ForChunks(chunks, rows, c, [&](int64_t, int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      AffineRow<kRelu, kResidual>(x + r * c, kResidual ? residual + r * c : nullptr, mean.data(), scale.data(), shiftBeta.data(),
                                  out.y + r * c, c);
    }
  });
}

// With x̂ = (x − mean)·invStd and g the gradient reaching the output (masked by y > 0 with relu):
//   dβ = Σg,  dγ = Σ g·x̂ = invStd·Σ g·(x − mean)
//   dx = γ·invStd·(g − Σg/n − x̂·Σg·x̂/n) = scale·g + slope·(x − mean) + constant
//   scale = γ·invStd, slope = −scale·invStd²·Σg·(x − mean)/n, constant = −scale·Σg/n
// dx sums terms that nearly cancel when the variance is small: computed in double.
template <bool kRelu, bool kResidual>
void Backward(const float* dy, const float* x, const float* y, const float* meanF, const float* invStd, const float* gamma, int64_t rows,
              int64_t c, const TrainBackwardOut& out) {
  const Chunks chunks = SplitRows(rows, c);
  const std::vector<double> mean(meanF, meanF + c);
  std::vector<double> partial(static_cast<size_t>(chunks.count * 2 * c));
  ForChunks(chunks, rows, c, [&](int64_t k, int64_t begin, int64_t end) {
    double* sumG = partial.data() + k * 2 * c;
    double* sumGXc = sumG + c;
    std::fill(sumG, sumG + 2 * c, 0.0);
    for (int64_t r = begin; r < end; ++r) {
      GradMomentsRow<kRelu>(dy + r * c, kRelu ? y + r * c : nullptr, x + r * c, mean.data(), sumG, sumGXc, c);
    }
  });
  std::vector<double> total;
  ReduceInOrder(partial, chunks.count, 2 * c, total);

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
  ForChunks(chunks, rows, c, [&](int64_t, int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      GradInputRow<kRelu, kResidual>(dy + r * c, kRelu ? y + r * c : nullptr, x + r * c, mean.data(), scale.data(), slope.data(),
                                     constant.data(), out.dx + r * c, kResidual ? out.dResidual + r * c : nullptr, c);
    }
  });
}

}  // namespace

void TrainForward(const float* x, const float* residual, int64_t rows, int64_t channels, const float* gamma, const float* beta, double eps,
                  bool relu, const TrainForwardOut& out) {
  if (relu && residual) {
    Forward<true, true>(x, residual, rows, channels, gamma, beta, eps, out);
  } else if (relu) {
    Forward<true, false>(x, nullptr, rows, channels, gamma, beta, eps, out);
  } else if (residual) {
    Forward<false, true>(x, residual, rows, channels, gamma, beta, eps, out);
  } else {
    Forward<false, false>(x, nullptr, rows, channels, gamma, beta, eps, out);
  }
}

void TrainBackward(const float* dy, const float* x, const float* y, const float* mean, const float* invStd, const float* gamma,
                   int64_t rows, int64_t channels, bool relu, const TrainBackwardOut& out) {
  const bool residual = out.dResidual != nullptr;
  if (relu && residual) {
    Backward<true, true>(dy, x, y, mean, invStd, gamma, rows, channels, out);
  } else if (relu) {
    Backward<true, false>(dy, x, y, mean, invStd, gamma, rows, channels, out);
  } else if (residual) {
    Backward<false, true>(dy, x, nullptr, mean, invStd, gamma, rows, channels, out);
  } else {
    Backward<false, false>(dy, x, nullptr, mean, invStd, gamma, rows, channels, out);
  }
}

}  // namespace mnf::norm
