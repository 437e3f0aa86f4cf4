// CUDA kernels of the fused device ops (device/ops_fused.h) over device addresses of a CudaDevice:
// same arguments and numbers as there, queued on the device's compute stream with no host
// synchronisation. Temporary per-channel sums live in the device's scratch slot kFusedScratchSlot.
#pragma once
#include <cstdint>

#include "kernels/adam.h"
#include "norm/batchnorm.h"

namespace mnf::device {
class CudaDevice;
}

namespace mnf::device::cuda {

constexpr int kFusedScratchSlot = 0;

void BatchNormTrainForward(CudaDevice& gpu, const float* x, const float* residual, int64_t rows, int64_t channels, const float* gamma,
                           const float* beta, double eps, bool relu, const norm::TrainForwardOut& out);

void BatchNormTrainBackward(CudaDevice& gpu, const float* dy, const float* x, const float* y, const float* mean, const float* invStd,
                            const float* gamma, int64_t rows, int64_t channels, bool relu, const norm::TrainBackwardOut& out);

void BatchNormRunningStats(CudaDevice& gpu, const float* runningMean, const float* runningVar, const float* mean, const float* variance,
                           int64_t channels, double momentum, int64_t rows, float* meanOut, float* varOut);

// Outputs may be the inputs (an in-place step): each element is read before it is written.
void AdamUpdate(CudaDevice& gpu, const float* param, const float* grad, const float* m, const float* v, int64_t count,
                const kernels::AdamHyper& h, float* paramOut, float* mOut, float* vOut);

}  // namespace mnf::device::cuda
