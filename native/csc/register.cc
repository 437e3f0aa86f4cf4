// cscLossGrad(v, z, aSel, labels, [B, D], theta, calibrated, device?) ->
//   { loss: number, dv: Float32Array, dz: Float32Array, device: 'cpu' | 'cuda' }
// device: 'cpu' | 'cuda' | 'auto' (default: CUDA when a device is usable, else CPU).
#include <cmath>
#include <exception>
#include <string>
#include <vector>

#include "common/napi_args.h"
#include "csc/csc.h"
#include "cuda/device.h"
#include "modules.h"

namespace mnf {
namespace {

std::string CudaProblem() {
  if (!cuda::Built()) return "the addon was built without CUDA (nvcc not found at build time)";
  std::vector<cuda::DeviceInfo> devices;
  std::string reason;
  cuda::QueryDevices(devices, reason);
  return devices.empty() ? reason : std::string();
}

bool UseCuda(Napi::Env env, const std::string& device) {
  if (device == "cpu") return false;
  if (device == "auto") return cuda::Available();
  if (device != "cuda") ThrowRange(env, "device: expected 'cpu', 'cuda' or 'auto', got '" + device + "'");
  if (!cuda::Available()) ThrowType(env, "device 'cuda' requested but no CUDA device is usable: " + CudaProblem());
  return true;
}

Napi::Value CscLossGrad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Float32Array v = ExpectF32(Arg(info, 0, "v"), "v");
  Napi::Float32Array z = ExpectF32(Arg(info, 1, "z"), "z");
  Napi::Float32Array aSel = ExpectF32(Arg(info, 2, "aSel"), "aSel");
  Napi::Int32Array labels = ExpectI32(Arg(info, 3, "labels"), "labels");
  const Shape shape = ExpectShape(Arg(info, 4, "shape"), "shape", 2);
  const double theta = ExpectNumber(Arg(info, 5, "theta"), "theta");
  const bool calibrated = ExpectBool(Arg(info, 6, "calibrated"), "calibrated");
  const std::string device = info.Length() > 7 && !info[7].IsUndefined() ? ExpectString(info[7], "device") : "auto";

  const int64_t batch = shape[0], dim = shape[1];
  if (batch < 1 || dim < 1) ThrowRange(env, "shape: expected [B, D] with B, D >= 1, got " + ShapeToString(shape));
  ExpectElements(v, shape, "v");
  ExpectElements(z, shape, "z");
  ExpectElements(aSel, shape, "aSel");
  ExpectElements(labels, {batch}, "labels");
  if (!std::isfinite(theta)) ThrowRange(env, "theta: expected a finite number");
  if (!calibrated && theta <= 0) ThrowRange(env, "theta: expected > 0 when calibrated is false (tau = theta)");
  const bool onCuda = UseCuda(env, device);

  Napi::Float32Array dv = Napi::Float32Array::New(env, batch * dim);
  Napi::Float32Array dz = Napi::Float32Array::New(env, batch * dim);
  csc::CscInput in{v.Data(), z.Data(), aSel.Data(), labels.Data(), batch, dim, static_cast<float>(theta), calibrated};
  csc::CscOutput out{0.f, dv.Data(), dz.Data()};
  try {
#ifdef MNF_WITH_CUDA
    if (onCuda) {
      csc::LossGradCuda(in, out);
    } else {
      csc::LossGradCpu(in, out);
    }
#else
    csc::LossGradCpu(in, out);
#endif
  } catch (const std::exception& err) {
    throw Napi::Error::New(env, std::string("cscLossGrad: ") + err.what());
  }

  Napi::Object result = Napi::Object::New(env);
  result.Set("loss", out.loss);
  result.Set("dv", dv);
  result.Set("dz", dz);
  result.Set("device", onCuda ? "cuda" : "cpu");
  return result;
}

}  // namespace

void RegisterCsc(Napi::Env env, Napi::Object exports) {
  exports.Set("cscLossGrad", Napi::Function::New(env, CscLossGrad, "cscLossGrad"));
}

}  // namespace mnf
