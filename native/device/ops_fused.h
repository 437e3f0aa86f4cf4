// The method's fused ops as device ops over device addresses (float32 unless noted): BatchNorm's
// training forward and gradient (native/norm/), its running statistics, the Adam update and the CSC
// loss with both gradients (native/csc/). On the emulated device each runs the CPU code the 'native'
// backend runs, with the same numbers.
#pragma once
#include <cstdint>
#include <vector>

#include "csc/csc.h"
#include "device/device.h"
#include "kernels/adam.h"
#include "norm/batchnorm.h"

namespace mnf::device {

// x, residual (may be null): (rows, channels); gamma, beta: (channels).
void BatchNormTrainForward(Device& d, const float* x, const float* residual, int64_t rows, int64_t channels, const float* gamma,
                           const float* beta, double eps, bool relu, const norm::TrainForwardOut& out);

// y is read only with relu (may be null otherwise); out.dResidual null when the forward had no residual.
void BatchNormTrainBackward(Device& d, const float* dy, const float* x, const float* y, const float* mean, const float* invStd,
                            const float* gamma, int64_t rows, int64_t channels, bool relu, const norm::TrainBackwardOut& out);

// PyTorch's rule, each product and the sum rounded to float32 as tfjs's composed ops round them:
//   mean' = f(runMean·f(1 − m)) + f(mean·f(m)),  var' = f(runVar·f(1 − m)) + f(var·f(m·rows/(rows − 1)))
void BatchNormRunningStats(Device& d, const float* runningMean, const float* runningVar, const float* mean, const float* variance,
                           int64_t channels, double momentum, int64_t rows, float* meanOut, float* varOut);

using kernels::AdamHyper;

// One tensor of an Adam group: count values each; the outputs may be the tensor's own inputs.
struct AdamTensor {
  const float* param;
  const float* grad;
  const float* m;
  const float* v;
  float* paramOut;
  float* mOut;
  float* vOut;
  int64_t count;
};

// The Adam step of native/kernels/adam.h (which the native backend runs too) for every tensor of a
// parameter group, one CUDA launch for the group. No tensor writes memory another one reads or writes.
void AdamUpdateGroup(Device& d, const std::vector<AdamTensor>& tensors, const AdamHyper& h);

// in's arrays are device addresses; out.dv, out.dz too; the loss is written to *loss (a device scalar).
void CscLossGrad(Device& d, const csc::CscInput& in, float* loss, float* dv, float* dz);

}  // namespace mnf::device
