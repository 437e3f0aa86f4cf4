// Device ops of the convolution / matmul / fused-method family (src/native/device-ops-conv-matmul.ts
// is the only caller). Every tensor is a buffer id of `device`; each buffer's bytes are checked
// against its shape × 4 (float32; labels int32). Outputs are buffers the caller allocated.
//   deviceConv(device, x, xShape, filter, filterShape, y, yShape, strides, dilations, padBefore, padAfter, precision, tf32)
//   deviceConvBackpropInput(device, dy, dyShape, filter, filterShape, dx, dxShape, ...geometry, precision, tf32)
//   deviceConvBackpropFilter(device, x, xShape, dy, dyShape, dFilter, filterShape, ...geometry, precision, tf32)
//     channels-last rank 4 (2-D) or 5 (3-D); geometry: one integer per spatial dim each
//   deviceMatMul(device, a, aShape [batchA, rows, cols], b, bShape, out, transposeA, transposeB, bias | null,
//                activation, leakyAlpha, precision, tf32) out (max batch, m, n); bias (n)
//     precision 'fp32' | 'bf16', tf32 a boolean (device/math_mode.h)
//   deviceBatchNormTrain(device, x, rows, channels, gamma, beta, residual | null, eps, relu, y, mean, variance, invStd)
//   deviceBatchNormTrainGrad(device, dy, x, y | null, mean, invStd, gamma, rows, channels, relu, dx, dGamma, dBeta,
//                            dResidual | null)          y is needed with relu
//   deviceBatchNormRunningStats(device, runningMean, runningVar, mean, variance, channels, momentum, rows, meanOut, varOut)
//   deviceAdamUpdateGroup(device, counts, stepSize, beta1, beta2, eps, weightDecay, bc2Sqrt,
//                         ...buffers)   one Adam step of every tensor of a parameter group: counts[t] values
//     each, 7 buffer ids per tensor t (param, grad, m, v, paramOut, mOut, vOut); a tensor's outputs may
//     be its inputs, no tensor may use a buffer another one writes
//   deviceCscLoss(device, v, z, aSel, labels, batch, dim, theta, calibrated, loss, dv, dz)
//     loss: a 1-element float32 buffer
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/napi_args.h"
#include "device/buffer_access.h"
#include "device/ops_conv.h"
#include "device/ops_fused.h"
#include "device/ops_matmul.h"
#include "modules.h"

namespace mnf {
namespace {

constexpr size_t kDevice = 0;

size_t Bytes(int64_t elements) { return static_cast<size_t>(elements) * 4; }

float* F32(const Napi::CallbackInfo& info, size_t index, const char* what, int64_t elements) {
  return static_cast<float*>(device::ExpectDeviceBuffer(info, kDevice, index, what, Bytes(elements)));
}

// null / undefined → nullptr
float* OptionalF32(const Napi::CallbackInfo& info, size_t index, const char* what, int64_t elements) {
  if (index >= info.Length() || info[index].IsNull() || info[index].IsUndefined()) return nullptr;
  return F32(info, index, what, elements);
}

std::vector<int64_t> ExpectSpatial(const Napi::CallbackInfo& info, size_t index, const char* what, size_t spatial) {
  Napi::Value v = Arg(info, index, what);
  if (!v.IsArray() || v.As<Napi::Array>().Length() != spatial) {
    ThrowType(info.Env(), std::string(what) + ": expected an array of " + std::to_string(spatial) + " integers");
  }
  auto array = v.As<Napi::Array>();
  std::vector<int64_t> s(spatial);
  for (uint32_t i = 0; i < spatial; ++i) s[i] = ExpectInt(array.Get(i), what);
  return s;
}

// (precision, tf32) at `index`, index + 1
device::MathMode ExpectMathMode(const Napi::CallbackInfo& info, size_t index) {
  device::MathMode math;
  const std::string precision = ExpectString(Arg(info, index, "precision"), "precision");
  if (precision == "bf16") {
    math.precision = device::Precision::kBf16;
  } else if (precision != "fp32") {
    ThrowRange(info.Env(), "precision: expected 'fp32' or 'bf16', got '" + precision + "'");
  }
  math.tf32 = ExpectBool(Arg(info, index + 1, "tf32"), "tf32");
  return math;
}

Napi::Value Conv(const Napi::CallbackInfo& info, kernels::ConvKind kind) {
  Napi::Env env = info.Env();
  static const char* names[3][3] = {{"x", "filter", "y"}, {"dy", "filter", "dx"}, {"x", "dy", "dFilter"}};
  const char* const* n = names[static_cast<int>(kind)];
  Shape shapes[3];
  for (int i = 0; i < 3; ++i) {
    const std::string shapeName = std::string(n[i]) + "Shape";
    shapes[i] = ExpectShape(Arg(info, 2 + 2 * i, shapeName.c_str()), shapeName.c_str());
    if (shapes[i].size() != 4 && shapes[i].size() != 5) {
      ThrowRange(env, shapeName + ": expected rank 4 (2-D conv) or 5 (3-D conv), got " + ShapeToString(shapes[i]));
    }
  }
  kernels::ConvProblem p;
  switch (kind) {
    case kernels::ConvKind::Forward: p.x = shapes[0], p.w = shapes[1], p.y = shapes[2]; break;
    case kernels::ConvKind::BackwardInput: p.y = shapes[0], p.w = shapes[1], p.x = shapes[2]; break;
    case kernels::ConvKind::BackwardFilter: p.x = shapes[0], p.y = shapes[1], p.w = shapes[2]; break;
  }
  if (p.x.size() != p.w.size() || p.x.size() != p.y.size()) {
    ThrowRange(env, "conv: x, filter and y must have the same rank, got x " + ShapeToString(p.x) + ", filter " + ShapeToString(p.w) +
                        ", y " + ShapeToString(p.y));
  }
  const size_t spatial = p.x.size() - 2;
  p.strides = ExpectSpatial(info, 7, "strides", spatial);
  p.dilations = ExpectSpatial(info, 8, "dilations", spatial);
  p.padBefore = ExpectSpatial(info, 9, "padBefore", spatial);
  p.padAfter = ExpectSpatial(info, 10, "padAfter", spatial);
  const device::MathMode math = ExpectMathMode(info, 11);
  const std::string problem = kernels::CheckConv(p);
  if (!problem.empty()) ThrowRange(env, problem);
  const float* in0 = F32(info, 1, n[0], ShapeSize(shapes[0]));
  const float* in1 = F32(info, 3, n[1], ShapeSize(shapes[1]));
  float* out = F32(info, 5, n[2], ShapeSize(shapes[2]));
  device::Device& d = device::ExpectDeviceHandle(info, kDevice);
  return device::RunDeviceOp(env, [&] {
    switch (kind) {
      case kernels::ConvKind::Forward: device::ConvForward(d, p, math, in0, in1, out); break;
      case kernels::ConvKind::BackwardInput: device::ConvBackpropInput(d, p, math, in0, in1, out); break;
      case kernels::ConvKind::BackwardFilter: device::ConvBackpropFilter(d, p, math, in0, in1, out); break;
    }
  });
}

Napi::Value MatMul(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Shape aShape = ExpectShape(Arg(info, 2, "aShape"), "aShape", 3);
  const Shape bShape = ExpectShape(Arg(info, 4, "bShape"), "bShape", 3);
  kernels::MatMulProblem p;
  p.transposeA = ExpectBool(Arg(info, 6, "transposeA"), "transposeA");
  p.transposeB = ExpectBool(Arg(info, 7, "transposeB"), "transposeB");
  Napi::Value biasArg = Arg(info, 8, "bias");
  p.bias = !biasArg.IsNull() && !biasArg.IsUndefined();
  p.activation = static_cast<int>(ExpectInt(Arg(info, 9, "activation"), "activation"));
  p.alpha = static_cast<float>(ExpectNumber(Arg(info, 10, "leakyAlpha"), "leakyAlpha"));
  const device::MathMode math = ExpectMathMode(info, 11);
  const std::string sizes = kernels::SetMatMulSizes(p, aShape, bShape);
  if (!sizes.empty()) ThrowRange(env, sizes);
  const std::string problem = kernels::CheckMatMul(p);
  if (!problem.empty()) ThrowRange(env, problem);
  const int64_t batch = std::max(p.batchA, p.batchB);
  const float* a = F32(info, 1, "a", ShapeSize(aShape));
  const float* b = F32(info, 3, "b", ShapeSize(bShape));
  float* out = F32(info, 5, "out", batch * p.m * p.n);
  const float* bias = p.bias ? F32(info, 8, "bias", p.n) : nullptr;
  device::Device& d = device::ExpectDeviceHandle(info, kDevice);
  return device::RunDeviceOp(env, [&] { device::MatMul(d, p, math, a, b, bias, out); });
}

int64_t ExpectPositive(const Napi::CallbackInfo& info, size_t index, const char* what) {
  const int64_t v = ExpectInt(Arg(info, index, what), what);
  if (v < 1) ThrowRange(info.Env(), std::string(what) + ": expected >= 1, got " + std::to_string(v));
  return v;
}

Napi::Value BatchNormTrain(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int64_t rows = ExpectPositive(info, 2, "rows");
  const int64_t channels = ExpectPositive(info, 3, "channels");
  const double eps = ExpectNumber(Arg(info, 7, "eps"), "eps");
  if (!std::isfinite(eps) || eps < 0) ThrowRange(env, "eps: expected a finite number >= 0, got " + std::to_string(eps));
  const bool relu = ExpectBool(Arg(info, 8, "relu"), "relu");
  const int64_t size = rows * channels;
  const float* x = F32(info, 1, "x", size);
  const float* gamma = F32(info, 4, "gamma", channels);
  const float* beta = F32(info, 5, "beta", channels);
  const float* residual = OptionalF32(info, 6, "residual", size);
  const norm::TrainForwardOut out{F32(info, 9, "y", size), F32(info, 10, "mean", channels), F32(info, 11, "variance", channels),
                                  F32(info, 12, "invStd", channels)};
  device::Device& d = device::ExpectDeviceHandle(info, kDevice);
  return device::RunDeviceOp(env, [&] { device::BatchNormTrainForward(d, x, residual, rows, channels, gamma, beta, eps, relu, out); });
}

Napi::Value BatchNormTrainGrad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int64_t rows = ExpectPositive(info, 7, "rows");
  const int64_t channels = ExpectPositive(info, 8, "channels");
  const bool relu = ExpectBool(Arg(info, 9, "relu"), "relu");
  const int64_t size = rows * channels;
  const float* dy = F32(info, 1, "dy", size);
  const float* x = F32(info, 2, "x", size);
  const float* y = OptionalF32(info, 3, "y", size);
  if (relu && y == nullptr) ThrowType(env, "y: expected a buffer id (the forward's output is needed with relu)");
  const float* mean = F32(info, 4, "mean", channels);
  const float* invStd = F32(info, 5, "invStd", channels);
  const float* gamma = F32(info, 6, "gamma", channels);
  const norm::TrainBackwardOut out{F32(info, 10, "dx", size), F32(info, 11, "dGamma", channels), F32(info, 12, "dBeta", channels),
                                   OptionalF32(info, 13, "dResidual", size)};
  device::Device& d = device::ExpectDeviceHandle(info, kDevice);
  return device::RunDeviceOp(env, [&] { device::BatchNormTrainBackward(d, dy, x, relu ? y : nullptr, mean, invStd, gamma, rows, channels, relu, out); });
}

Napi::Value BatchNormRunningStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int64_t channels = ExpectPositive(info, 5, "channels");
  const double momentum = ExpectNumber(Arg(info, 6, "momentum"), "momentum");
  const int64_t rows = ExpectInt(Arg(info, 7, "rows"), "rows");
  if (rows < 2) ThrowRange(env, "rows: expected >= 2 (the unbiased variance divides by rows - 1), got " + std::to_string(rows));
  const float* runningMean = F32(info, 1, "runningMean", channels);
  const float* runningVar = F32(info, 2, "runningVar", channels);
  const float* mean = F32(info, 3, "mean", channels);
  const float* variance = F32(info, 4, "variance", channels);
  float* meanOut = F32(info, 8, "meanOut", channels);
  float* varOut = F32(info, 9, "varOut", channels);
  device::Device& d = device::ExpectDeviceHandle(info, kDevice);
  return device::RunDeviceOp(env, [&] { device::BatchNormRunningStats(d, runningMean, runningVar, mean, variance, channels, momentum, rows, meanOut, varOut); });
}

// deviceAdamUpdateGroup's buffer ids: kAdamRoleCount per tensor, from argument kAdamFirstBuffer on
constexpr const char* kAdamRoles[] = {"param", "grad", "m", "v", "paramOut", "mOut", "vOut"};
constexpr size_t kAdamRoleCount = sizeof(kAdamRoles) / sizeof(kAdamRoles[0]);
constexpr size_t kAdamFirstOutput = 4;
constexpr size_t kAdamFirstBuffer = 8;

std::string AdamRoleName(size_t tensor, size_t role) { return "tensors[" + std::to_string(tensor) + "]." + kAdamRoles[role]; }

// A tensor's three outputs are distinct buffers, and no buffer one tensor writes is another's:
// the CUDA launch steps the group's tensors concurrently.
void CheckAdamAliasing(Napi::Env env, const std::vector<std::array<const void*, kAdamRoleCount>>& buffers,
                       const std::vector<int64_t>& counts) {
  std::unordered_map<const void*, size_t> writers;  // an output's address → its tensor
  for (size_t t = 0; t < buffers.size(); ++t) {
    if (counts[t] == 0) continue;
    for (size_t r = kAdamFirstOutput; r < kAdamRoleCount; ++r) {
      for (size_t earlier = kAdamFirstOutput; earlier < r; ++earlier) {
        if (buffers[t][r] == buffers[t][earlier]) ThrowRange(env, AdamRoleName(t, r) + ": the same buffer as " + AdamRoleName(t, earlier));
      }
      const auto [found, added] = writers.emplace(buffers[t][r], t);
      if (!added && found->second != t) ThrowRange(env, AdamRoleName(t, r) + ": a buffer tensors[" + std::to_string(found->second) + "] writes");
    }
  }
  for (size_t t = 0; t < buffers.size(); ++t) {
    if (counts[t] == 0) continue;
    for (size_t r = 0; r < kAdamFirstOutput; ++r) {
      const auto found = writers.find(buffers[t][r]);
      if (found != writers.end() && found->second != t) {
        ThrowRange(env, AdamRoleName(t, r) + ": a buffer tensors[" + std::to_string(found->second) + "] writes");
      }
    }
  }
}

Napi::Value AdamUpdateGroup(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Value countsArg = Arg(info, 1, "counts");
  if (!countsArg.IsArray()) ThrowType(env, "counts: expected an array of integers (one per tensor)");
  const Napi::Array countsArray = countsArg.As<Napi::Array>();
  const size_t tensors = countsArray.Length();
  device::AdamHyper h;
  h.stepSize = ExpectNumber(Arg(info, 2, "stepSize"), "stepSize");
  h.beta1 = ExpectNumber(Arg(info, 3, "beta1"), "beta1");
  h.beta2 = ExpectNumber(Arg(info, 4, "beta2"), "beta2");
  h.eps = ExpectNumber(Arg(info, 5, "eps"), "eps");
  h.weightDecay = ExpectNumber(Arg(info, 6, "weightDecay"), "weightDecay");
  h.bc2Sqrt = ExpectNumber(Arg(info, 7, "bc2Sqrt"), "bc2Sqrt");
  const size_t given = info.Length() - kAdamFirstBuffer;
  if (given != kAdamRoleCount * tensors) {
    ThrowRange(env, "buffers: expected " + std::to_string(kAdamRoleCount) + " buffer ids per tensor (" + std::to_string(kAdamRoleCount * tensors) +
                        " for " + std::to_string(tensors) + " counts), got " + std::to_string(given));
  }
  std::vector<int64_t> counts(tensors);
  std::vector<std::array<const void*, kAdamRoleCount>> buffers(tensors);
  std::vector<device::AdamTensor> group(tensors);
  for (size_t t = 0; t < tensors; ++t) {
    const std::string countName = "counts[" + std::to_string(t) + "]";
    counts[t] = ExpectInt(countsArray.Get(static_cast<uint32_t>(t)), countName.c_str());
    if (counts[t] < 0) ThrowRange(env, countName + ": expected >= 0, got " + std::to_string(counts[t]));
    float* p[kAdamRoleCount];
    for (size_t r = 0; r < kAdamRoleCount; ++r) {
      const std::string what = AdamRoleName(t, r);
      p[r] = F32(info, kAdamFirstBuffer + kAdamRoleCount * t + r, what.c_str(), counts[t]);
      buffers[t][r] = p[r];
    }
    group[t] = device::AdamTensor{p[0], p[1], p[2], p[3], p[4], p[5], p[6], counts[t]};
  }
  CheckAdamAliasing(env, buffers, counts);
  device::Device& d = device::ExpectDeviceHandle(info, kDevice);
  return device::RunDeviceOp(env, [&] { device::AdamUpdateGroup(d, group, h); });
}

Napi::Value CscLoss(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  csc::CscInput in;
  in.batch = ExpectPositive(info, 5, "batch");
  in.dim = ExpectPositive(info, 6, "dim");
  in.theta = static_cast<float>(ExpectNumber(Arg(info, 7, "theta"), "theta"));
  in.calibrated = ExpectBool(Arg(info, 8, "calibrated"), "calibrated");
  const int64_t size = in.batch * in.dim;
  in.v = F32(info, 1, "v", size);
  in.z = F32(info, 2, "z", size);
  in.aSel = F32(info, 3, "aSel", size);
  in.labels = static_cast<const int32_t*>(device::ExpectDeviceBuffer(info, kDevice, 4, "labels", Bytes(in.batch)));
  float* loss = F32(info, 9, "loss", 1);
  float* dv = F32(info, 10, "dv", size);
  float* dz = F32(info, 11, "dz", size);
  device::Device& d = device::ExpectDeviceHandle(info, kDevice);
  return device::RunDeviceOp(env, [&] { device::CscLossGrad(d, in, loss, dv, dz); });
}

}  // namespace

void RegisterDeviceConvMatMul(Napi::Env env, Napi::Object exports) {
  exports.Set("deviceConv", Napi::Function::New(env, [](const Napi::CallbackInfo& i) { return Conv(i, kernels::ConvKind::Forward); }, "deviceConv"));
  exports.Set("deviceConvBackpropInput",
              Napi::Function::New(env, [](const Napi::CallbackInfo& i) { return Conv(i, kernels::ConvKind::BackwardInput); }, "deviceConvBackpropInput"));
  exports.Set("deviceConvBackpropFilter",
              Napi::Function::New(env, [](const Napi::CallbackInfo& i) { return Conv(i, kernels::ConvKind::BackwardFilter); }, "deviceConvBackpropFilter"));
  exports.Set("deviceMatMul", Napi::Function::New(env, MatMul, "deviceMatMul"));
  exports.Set("deviceBatchNormTrain", Napi::Function::New(env, BatchNormTrain, "deviceBatchNormTrain"));
  exports.Set("deviceBatchNormTrainGrad", Napi::Function::New(env, BatchNormTrainGrad, "deviceBatchNormTrainGrad"));
  exports.Set("deviceBatchNormRunningStats", Napi::Function::New(env, BatchNormRunningStats, "deviceBatchNormRunningStats"));
  exports.Set("deviceAdamUpdateGroup", Napi::Function::New(env, AdamUpdateGroup, "deviceAdamUpdateGroup"));
  exports.Set("deviceCscLoss", Napi::Function::New(env, CscLoss, "deviceCscLoss"));
}

}  // namespace mnf
