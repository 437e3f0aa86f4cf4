// batchNormTrainForward(x, rows, channels, gamma, beta, eps, relu, residual?)
//   -> { y: Float32Array(rows·channels), mean, variance, invStd: Float32Array(channels) }
//   y = [ReLU](BN(x) [+ residual]); residual: Float32Array(rows·channels), or null / absent.
// batchNormTrainBackward(dy, x, y, mean, invStd, gamma, rows, channels, relu, residual?)
//   -> { dx: Float32Array(rows·channels), dGamma, dBeta: Float32Array(channels)[, dResidual: Float32Array(rows·channels)] }
//   y (the forward's output) is read only with relu; pass null otherwise. residual: true when the
//   forward had one (then dResidual is returned).
// Synchronous: tfjs kernels are synchronous and training runs in a worker thread.
#include <cmath>
#include <string>

#include "common/napi_args.h"
#include "modules.h"
#include "norm/batchnorm.h"

namespace mnf {
namespace {

struct Matrix {
  int64_t rows;
  int64_t channels;
};

Matrix ExpectMatrix(const Napi::CallbackInfo& info, size_t rowsAt, const char* fn) {
  const int64_t rows = ExpectInt(Arg(info, rowsAt, "rows"), "rows");
  const int64_t channels = ExpectInt(Arg(info, rowsAt + 1, "channels"), "channels");
  if (rows < 1) ThrowRange(info.Env(), std::string(fn) + ": rows: expected >= 1, got " + std::to_string(rows));
  if (channels < 1) ThrowRange(info.Env(), std::string(fn) + ": channels: expected >= 1, got " + std::to_string(channels));
  return {rows, channels};
}

Napi::Value BatchNormTrainForward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Float32Array x = ExpectF32(Arg(info, 0, "x"), "x");
  const Matrix m = ExpectMatrix(info, 1, "batchNormTrainForward");
  Napi::Float32Array gamma = ExpectF32(Arg(info, 3, "gamma"), "gamma");
  Napi::Float32Array beta = ExpectF32(Arg(info, 4, "beta"), "beta");
  const double eps = ExpectNumber(Arg(info, 5, "eps"), "eps");
  const bool relu = ExpectBool(Arg(info, 6, "relu"), "relu");
  ExpectElements(x, {m.rows, m.channels}, "x");
  ExpectElements(gamma, {m.channels}, "gamma");
  ExpectElements(beta, {m.channels}, "beta");
  if (!std::isfinite(eps) || eps < 0) ThrowRange(env, "eps: expected a finite number >= 0, got " + std::to_string(eps));
  const float* residual = nullptr;
  if (info.Length() > 7 && !info[7].IsNull() && !info[7].IsUndefined()) {
    Napi::Float32Array r = ExpectF32(info[7], "residual");
    ExpectElements(r, {m.rows, m.channels}, "residual");
    residual = r.Data();
  }

  Napi::Float32Array y = Napi::Float32Array::New(env, static_cast<size_t>(m.rows * m.channels));
  Napi::Float32Array mean = Napi::Float32Array::New(env, static_cast<size_t>(m.channels));
  Napi::Float32Array variance = Napi::Float32Array::New(env, static_cast<size_t>(m.channels));
  Napi::Float32Array invStd = Napi::Float32Array::New(env, static_cast<size_t>(m.channels));
  norm::TrainForward(x.Data(), residual, m.rows, m.channels, gamma.Data(), beta.Data(), eps, relu,
                     {y.Data(), mean.Data(), variance.Data(), invStd.Data()});
  Napi::Object result = Napi::Object::New(env);
  result.Set("y", y);
  result.Set("mean", mean);
  result.Set("variance", variance);
  result.Set("invStd", invStd);
  return result;
}

Napi::Value BatchNormTrainBackward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Float32Array dy = ExpectF32(Arg(info, 0, "dy"), "dy");
  Napi::Float32Array x = ExpectF32(Arg(info, 1, "x"), "x");
  Napi::Value yArg = Arg(info, 2, "y");
  Napi::Float32Array mean = ExpectF32(Arg(info, 3, "mean"), "mean");
  Napi::Float32Array invStd = ExpectF32(Arg(info, 4, "invStd"), "invStd");
  Napi::Float32Array gamma = ExpectF32(Arg(info, 5, "gamma"), "gamma");
  const Matrix m = ExpectMatrix(info, 6, "batchNormTrainBackward");
  const bool relu = ExpectBool(Arg(info, 8, "relu"), "relu");
  const bool withResidual = info.Length() > 9 && !info[9].IsUndefined() && ExpectBool(info[9], "residual");
  const Shape matrix{m.rows, m.channels};
  ExpectElements(dy, matrix, "dy");
  ExpectElements(x, matrix, "x");
  ExpectElements(mean, {m.channels}, "mean");
  ExpectElements(invStd, {m.channels}, "invStd");
  ExpectElements(gamma, {m.channels}, "gamma");
  const float* yData = nullptr;
  if (relu) {
    Napi::Float32Array y = ExpectF32(yArg, "y");
    ExpectElements(y, matrix, "y");
    yData = y.Data();
  } else if (!yArg.IsNull() && !yArg.IsUndefined()) {
    ExpectElements(ExpectF32(yArg, "y"), matrix, "y");
  }

  Napi::Float32Array dx = Napi::Float32Array::New(env, static_cast<size_t>(m.rows * m.channels));
  Napi::Float32Array dGamma = Napi::Float32Array::New(env, static_cast<size_t>(m.channels));
  Napi::Float32Array dBeta = Napi::Float32Array::New(env, static_cast<size_t>(m.channels));
  Napi::Float32Array dResidual;
  if (withResidual) dResidual = Napi::Float32Array::New(env, static_cast<size_t>(m.rows * m.channels));
  norm::TrainBackward(dy.Data(), x.Data(), yData, mean.Data(), invStd.Data(), gamma.Data(), m.rows, m.channels, relu,
                      {dx.Data(), dGamma.Data(), dBeta.Data(), withResidual ? dResidual.Data() : nullptr});
  Napi::Object result = Napi::Object::New(env);
  result.Set("dx", dx);
  result.Set("dGamma", dGamma);
  result.Set("dBeta", dBeta);
  if (withResidual) result.Set("dResidual", dResidual);
  return result;
}

}  // namespace

void RegisterNorm(Napi::Env env, Napi::Object exports) {
  exports.Set("batchNormTrainForward", Napi::Function::New(env, BatchNormTrainForward, "batchNormTrainForward"));
  exports.Set("batchNormTrainBackward", Napi::Function::New(env, BatchNormTrainBackward, "batchNormTrainBackward"));
}

}  // namespace mnf
