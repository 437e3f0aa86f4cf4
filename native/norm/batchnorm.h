// Training-mode BatchNorm (+ optional residual, + optional ReLU) over a (rows, channels) row-major
// float32 matrix, PyTorch semantics: biased batch variance,
//   y = [ReLU](γ·(x − mean)/√(var + eps) + β [+ residual])   (a ResNet block's BN2 + shortcut + ReLU).
// Each direction makes two passes over the activations, OpenMP-parallel over fixed row chunks;
// per-channel sums accumulate in double per chunk and the chunk partials are added in chunk order,
// so the results do not depend on the thread count.
#pragma once
#include <cstdint>

namespace mnf::norm {

struct TrainForwardOut {
  float* y;         // rows·channels
  float* mean;      // channels
  float* variance;  // channels, biased (÷ rows)
  float* invStd;    // channels, 1/√(variance + eps)
};

// residual (rows·channels) may be null.
void TrainForward(const float* x, const float* residual, int64_t rows, int64_t channels, const float* gamma, const float* beta, double eps,
                  bool relu, const TrainForwardOut& out);

struct TrainBackwardOut {
  float* dx;      // rows·channels
  float* dGamma;  // channels
  float* dBeta;   // channels
  float* dResidual;  // rows·channels, or null when the forward had no residual
};

// y (the forward's output) is read only with relu, for the mask y > 0; it may be null otherwise.
// dResidual, when asked for, is the gradient reaching the sum (dy, masked with relu).
void TrainBackward(const float* dy, const float* x, const float* y, const float* mean, const float* invStd, const float* gamma,
                   int64_t rows, int64_t channels, bool relu, const TrainBackwardOut& out);

}  // namespace mnf::norm
