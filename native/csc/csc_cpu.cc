#include <oneapi/dnnl/dnnl.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "csc/csc.h"

namespace mnf::csc {
namespace {

// Row-major C(M×N) = op(A)·op(B) through oneDNN.
void Gemm(char transA, char transB, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
          int64_t ldb, float* c, int64_t ldc) {
  dnnl_status_t status = dnnl_sgemm(transA, transB, m, n, k, 1.f, a, lda, b, ldb, 0.f, c, ldc);
  if (status != dnnl_success) throw std::runtime_error("csc: dnnl_sgemm failed with status " + std::to_string(status));
}

struct NormalizedRows {
  std::vector<float> unit;     // (B, D)
  std::vector<float> invNorm;  // (B) 1 / max(‖x‖, eps)
  std::vector<char> clamped;   // (B) ‖x‖ <= eps
};

NormalizedRows Normalize(const float* x, int64_t rows, int64_t dim) {
  NormalizedRows out{std::vector<float>(rows * dim), std::vector<float>(rows), std::vector<char>(rows)};
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < rows; ++i) {
    const float* row = x + i * dim;
    double squares = 0;
    for (int64_t d = 0; d < dim; ++d) squares += double(row[d]) * row[d];
    const float norm = static_cast<float>(std::sqrt(squares));
    const float inv = 1.f / std::max(norm, kNormEps);
    out.invNorm[i] = inv;
    out.clamped[i] = norm <= kNormEps;
    float* unit = out.unit.data() + i * dim;
    for (int64_t d = 0; d < dim; ++d) unit[d] = row[d] * inv;
  }
  return out;
}

void NormalizeBackward(const NormalizedRows& n, const float* dUnit, float* dx, int64_t rows, int64_t dim) {
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < rows; ++i) {
    const float* u = n.unit.data() + i * dim;
    const float* g = dUnit + i * dim;
    double along = 0;
    if (!n.clamped[i]) {
      for (int64_t d = 0; d < dim; ++d) along += double(u[d]) * g[d];
    }
    const float a = static_cast<float>(along);
    const float inv = n.invNorm[i];
    float* out = dx + i * dim;
    for (int64_t d = 0; d < dim; ++d) out[d] = (g[d] - u[d] * a) * inv;
  }
}

}  // namespace

void LossGradCpu(const CscInput& in, CscOutput& out) {
  const int64_t B = in.batch, D = in.dim;
  const NormalizedRows vn = Normalize(in.v, B, D);
  const NormalizedRows zn = Normalize(in.z, B, D);

  // scores: S = v̂ ẑᵀ, overwritten row by row with P and then with dS.
  std::vector<float> scores(B * B);
  Gemm('N', 'T', B, B, D, vn.unit.data(), D, zn.unit.data(), D, scores.data(), B);
  std::vector<float> cosines;  // v̂ âᵀ, only when calibrated
  if (in.calibrated) {
    const NormalizedRows an = Normalize(in.aSel, B, D);
    cosines.resize(B * B);
    Gemm('N', 'T', B, B, D, vn.unit.data(), D, an.unit.data(), D, cosines.data(), B);
  }

  // Row pass; the cosine row is overwritten with 1/τ, the score row with logits, exp, P and finally dS.
  std::vector<double> rowLoss(B);
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < B; ++i) {
    float* row = scores.data() + i * B;
    float* invTau = in.calibrated ? cosines.data() + i * B : nullptr;
    const float invTheta = 1.f / in.theta;
    float rowMax = -std::numeric_limits<float>::infinity();
    if (invTau) {
      for (int64_t j = 0; j < B; ++j) {
        invTau[j] = 1.f / (invTau[j] + in.theta);
        row[j] *= invTau[j];
        rowMax = std::max(rowMax, row[j]);
      }
    } else {
      for (int64_t j = 0; j < B; ++j) {
        row[j] /= in.theta;
        rowMax = std::max(rowMax, row[j]);
      }
    }
    double expSum = 0;
    for (int64_t j = 0; j < B; ++j) {
      row[j] = std::exp(row[j] - rowMax);
      expSum += row[j];
    }
    const float invSum = static_cast<float>(1.0 / expSum);
    const int32_t label = in.labels[i];
    int64_t matches = 0;
    double logSum = 0, wSum = 0;
    for (int64_t j = 0; j < B; ++j) {
      const float p = row[j] * invSum;
      row[j] = p;
      if (in.labels[j] == label) {
        ++matches;
        logSum += std::log(p + kLogEps);
        wSum += p / (p + kLogEps);
      }
    }
    rowLoss[i] = -logSum / double(matches);
    // dlogit_ij = c (M_ij P_ij / (P_ij + eps) − P_ij Σ_k M_ik P_ik / (P_ik + eps)), c = −1 / (m_i B)
    const float c = static_cast<float>(-1.0 / (double(matches) * double(B)));
    const float ws = static_cast<float>(wSum);
    for (int64_t j = 0; j < B; ++j) {
      const float p = row[j];
      const float w = in.labels[j] == label ? p / (p + kLogEps) : 0.f;
      row[j] = c * (w - p * ws) * (invTau ? invTau[j] : invTheta);
    }
  }
  double total = 0;
  for (int64_t i = 0; i < B; ++i) total += rowLoss[i];
  out.loss = static_cast<float>(total / double(B));

  std::vector<float> dUnit(B * D);
  Gemm('N', 'N', B, D, B, scores.data(), B, zn.unit.data(), D, dUnit.data(), D);  // dv̂ = dS ẑ
  NormalizeBackward(vn, dUnit.data(), out.dv, B, D);
  Gemm('T', 'N', B, D, B, scores.data(), B, vn.unit.data(), D, dUnit.data(), D);  // dẑ = dSᵀ v̂
  NormalizeBackward(zn, dUnit.data(), out.dz, B, D);
}

}  // namespace mnf::csc
