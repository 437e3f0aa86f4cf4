#include "device/ops_fused.h"

#include <cmath>

#include "device/ops_host.h"

#ifdef MNF_WITH_CUDA
#include "device/cuda/fused.h"
#include "device/cuda_device.h"
#endif

namespace mnf::device {

void BatchNormTrainForward(Device& d, const float* x, const float* residual, int64_t rows, int64_t channels, const float* gamma,
                           const float* beta, double eps, bool relu, const norm::TrainForwardOut& out) {
#ifdef MNF_WITH_CUDA
  if (CudaDevice* gpu = AsCudaDevice(d)) {
    cuda::BatchNormTrainForward(*gpu, x, residual, rows, channels, gamma, beta, eps, relu, out);
    return;
  }
#endif
  RequireHostMemory(d, "deviceBatchNormTrain");
  norm::TrainForward(x, residual, rows, channels, gamma, beta, eps, relu, out);
}

void BatchNormTrainBackward(Device& d, const float* dy, const float* x, const float* y, const float* mean, const float* invStd,
                            const float* gamma, int64_t rows, int64_t channels, bool relu, const norm::TrainBackwardOut& out) {
#ifdef MNF_WITH_CUDA
  if (CudaDevice* gpu = AsCudaDevice(d)) {
    cuda::BatchNormTrainBackward(*gpu, dy, x, y, mean, invStd, gamma, rows, channels, relu, out);
    return;
  }
#endif
  RequireHostMemory(d, "deviceBatchNormTrainGrad");
  norm::TrainBackward(dy, x, y, mean, invStd, gamma, rows, channels, relu, out);
}

void BatchNormRunningStats(Device& d, const float* runningMean, const float* runningVar, const float* mean, const float* variance,
                           int64_t channels, double momentum, int64_t rows, float* meanOut, float* varOut) {
#ifdef MNF_WITH_CUDA
  if (CudaDevice* gpu = AsCudaDevice(d)) {
    cuda::BatchNormRunningStats(*gpu, runningMean, runningVar, mean, variance, channels, momentum, rows, meanOut, varOut);
    return;
  }
#endif
  RequireHostMemory(d, "deviceBatchNormRunningStats");
  const float keep = static_cast<float>(1 - momentum);
  const float take = static_cast<float>(momentum);
  const float unbias = static_cast<float>((momentum * static_cast<double>(rows)) / static_cast<double>(rows - 1));
  for (int64_t i = 0; i < channels; ++i) {
    const float keptMean = runningMean[i] * keep;
    const float takenMean = mean[i] * take;
    meanOut[i] = keptMean + takenMean;
    const float keptVar = runningVar[i] * keep;
    const float takenVar = variance[i] * unbias;
    varOut[i] = keptVar + takenVar;
  }
}

void AdamUpdateGroup(Device& d, const std::vector<AdamTensor>& tensors, const AdamHyper& h) {
#ifdef MNF_WITH_CUDA
  if (CudaDevice* gpu = AsCudaDevice(d)) {
    cuda::AdamUpdateGroup(*gpu, tensors, h);
    return;
  }
#endif
  RequireHostMemory(d, "deviceAdamUpdateGroup");
  for (const AdamTensor& t : tensors) kernels::AdamUpdateF32(t.param, t.grad, t.m, t.v, t.count, h, t.paramOut, t.mOut, t.vOut);
}

void CscLossGrad(Device& d, const csc::CscInput& in, float* loss, float* dv, float* dz) {
#ifdef MNF_WITH_CUDA
  if (CudaDevice* gpu = AsCudaDevice(d)) {
    csc::LossGradCuda(*gpu, in, loss, dv, dz);
    return;
  }
#endif
  RequireHostMemory(d, "deviceCscLoss");
  csc::CscOutput out;
  out.dv = dv;
  out.dz = dz;
  csc::LossGradCpu(in, out);
  *loss = out.loss;
}

}  // namespace mnf::device
