// CUDA kernels of the fused device ops (device/ops_fused.h) over device addresses of a CudaDevice:
// same arguments and numbers as there, queued on the device's compute stream with no host
// synchronisation. Temporary per-channel sums live in the device's scratch slot kFusedScratchSlot.
#pragma once
#include <cstdint>
#include <vector>

#include "device/ops_fused.h"
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

// One launch per kTensorsPerAdamLaunch tensors (fused.cu), so a group of the model's parameters
// is one launch. A tensor's outputs may be its inputs (an in-place step): each element is read
// before it is written.
void AdamUpdateGroup(CudaDevice& gpu, const std::vector<AdamTensor>& tensors, const kernels::AdamHyper& h);

}  // namespace mnf::device::cuda
