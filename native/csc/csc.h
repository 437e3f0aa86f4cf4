// Fused CSC loss (DESIGN.md, Xia et al. 2023): forward and backward in one call.
//   v̂ = v / max(‖v‖, 1e-12) (rows; likewise ẑ, â),  τ_ij = v̂_i·â_j + θ (detached; θ when not calibrated),
//   S_ij = v̂_i·ẑ_j,  P_ij = softmax_j(S_ij / τ_ij),
//   L = (1/B) Σ_i −Σ_j M_ij log(P_ij + 1e−10) / m_i,  M_ij = [y_i = y_j],  m_i = Σ_j M_ij.
// Backward: w_ij = −M_ij P_ij / ((P_ij + 1e−10) m_i B),  dlogit_ij = w_ij − P_ij Σ_k w_ik,
//   dS = dlogit / τ,  dv̂ = dS ẑ,  dẑ = dSᵀ v̂,  dx = (dx̂ − x̂ (x̂·dx̂)) / max(‖x‖, 1e-12)
//   (the projection term is absent where the norm is clamped to 1e-12, as in torch).
// All matrices are row-major float32: v, z, aSel, dv, dz are (B, D); labels is (B).
#pragma once
#include <cstdint>

namespace mnf::device {
class CudaDevice;
}

namespace mnf::csc {

constexpr float kNormEps = 1e-12f;
constexpr float kLogEps = 1e-10f;

struct CscInput {
  const float* v = nullptr;
  const float* z = nullptr;
  const float* aSel = nullptr;
  const int32_t* labels = nullptr;
  int64_t batch = 0;
  int64_t dim = 0;
  float theta = 0.f;
  bool calibrated = true;
};

struct CscOutput {
  float loss = 0.f;
  float* dv = nullptr;  // (B, D), written
  float* dz = nullptr;  // (B, D), written
};

// Threaded CPU implementation (OpenMP over rows, oneDNN sgemm for the four B×B×D products).
void LossGradCpu(const CscInput& in, CscOutput& out);

#ifdef MNF_WITH_CUDA
// CUDA implementation on device addresses of `gpu` (in's arrays, dv and dz; *loss is a device
// scalar), queued on its compute stream with its scratch memory, without host synchronisation.
// Throws std::runtime_error naming the failed launch.
void LossGradCuda(device::CudaDevice& gpu, const CscInput& in, float* loss, float* dv, float* dz);
#endif

}  // namespace mnf::csc
