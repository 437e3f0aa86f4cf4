// cscLossGrad(v, z, aSel, labels, [B, D], theta, calibrated, device?) ->
//   { loss: number, dv: Float32Array, dz: Float32Array, device: 'cpu' | 'cuda' }
// device: 'cpu' | 'cuda' | 'auto' (default: CUDA when a device is usable, else CPU). On CUDA the
// arrays are uploaded to a CUDA device opened for this API, the device op (device/ops_fused.h) runs
// there and the loss and gradients are read back.
#include <cmath>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/napi_args.h"
#include "csc/csc.h"
#include "cuda/device.h"
#include "device/cuda_device.h"
#include "device/ops_fused.h"
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

// The host-array API on the GPU: the CUDA device opened on first use, one device block (grown to the
// largest call) for the inputs and results; each call uploads, runs the device op and reads back.
class HostArraysOnCuda {
 public:
  HostArraysOnCuda(const HostArraysOnCuda&) = delete;
  HostArraysOnCuda& operator=(const HostArraysOnCuda&) = delete;
  static HostArraysOnCuda& Get() {
    static HostArraysOnCuda instance;
    return instance;
  }

  void LossGrad(const csc::CscInput& host, csc::CscOutput& out) {
    std::lock_guard<std::mutex> lock(mutex_);
    device::Device& d = Open();
    const size_t bd = static_cast<size_t>(host.batch * host.dim) * sizeof(float);
    const size_t labelBytes = static_cast<size_t>(host.batch) * sizeof(int32_t);
    // v | z | aSel | dv | dz | loss | labels, each part 256-byte aligned
    const size_t stride = (bd + 255) / 256 * 256;
    char* base = static_cast<char*>(Reserve(d, 5 * stride + 256 + labelBytes));
    float* v = reinterpret_cast<float*>(base);
    float* z = reinterpret_cast<float*>(base + stride);
    float* aSel = reinterpret_cast<float*>(base + 2 * stride);
    float* dv = reinterpret_cast<float*>(base + 3 * stride);
    float* dz = reinterpret_cast<float*>(base + 4 * stride);
    float* loss = reinterpret_cast<float*>(base + 5 * stride);
    int32_t* labels = reinterpret_cast<int32_t*>(base + 5 * stride + 256);
    d.CopyHostToDevice(v, host.v, bd);
    d.CopyHostToDevice(z, host.z, bd);
    d.CopyHostToDevice(aSel, host.aSel, bd);
    d.CopyHostToDevice(labels, host.labels, labelBytes);
    csc::CscInput in = host;
    in.v = v, in.z = z, in.aSel = aSel, in.labels = labels;
    device::CscLossGrad(d, in, loss, dv, dz);
    d.CopyDeviceToHost(out.dv, dv, bd);
    d.CopyDeviceToHost(out.dz, dz, bd);
    d.CopyDeviceToHost(&out.loss, loss, sizeof(float));
  }

 private:
  HostArraysOnCuda() = default;
  ~HostArraysOnCuda() {
    if (block_) device_->Free(block_);
  }

  device::Device& Open() {
    if (!device_) {
      std::string reason;
      device_ = device::OpenCudaDevice(reason);
      if (!device_) throw std::runtime_error("the CUDA device did not open: " + reason);
    }
    return *device_;
  }

  void* Reserve(device::Device& d, size_t bytes) {
    if (bytes > bytes_) {
      if (block_) d.Free(block_);
      block_ = nullptr;
      bytes_ = 0;
      block_ = d.Allocate(bytes);
      bytes_ = bytes;
    }
    return block_;
  }

  std::mutex mutex_;
  std::unique_ptr<device::Device> device_;
  void* block_ = nullptr;
  size_t bytes_ = 0;
};

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
    if (onCuda) {
      HostArraysOnCuda::Get().LossGrad(in, out);
    } else {
      csc::LossGradCpu(in, out);
    }
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
