// torch.optim.Adam's single-tensor step with L2 weight decay, in double as the JS kernel
// (src/backend/kernels/MnfAdamUpdate.ts) computes it, each output rounded to float32 once:
//   g ← grad + wd·p;  m' = β1·m + (1−β1)·g;  v' = β2·v + (1−β2)·g·g;  p' = p − stepSize·m' / (√v' / bc2Sqrt + eps)
// The 'native' backend's MnfAdamUpdate and the emulated device's run this one loop.
#pragma once
#include <napi.h>

#include <cstdint>

namespace mnf::kernels {

struct AdamHyper {
  double stepSize;  // lr / (1 − β1^t)
  double beta1, beta2, eps, weightDecay;
  double bc2Sqrt;  // √(1 − β2^t)
};

// Outputs may not alias the inputs.
void AdamUpdateF32(const float* param, const float* grad, const float* m, const float* v, int64_t count, const AdamHyper& h, float* paramOut,
                   float* mOut, float* vOut);

// adamUpdate(param, grad, m, v, paramOut, mOut, vOut, {stepSize, beta1, beta2, eps, weightDecay, bc2Sqrt})
void RegisterAdam(Napi::Env env, Napi::Object exports);

}  // namespace mnf::kernels
