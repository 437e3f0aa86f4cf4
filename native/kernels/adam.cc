#include "kernels/adam.h"

#include <omp.h>

#include <cmath>
#include <string>

#include "common/napi_args.h"

namespace mnf::kernels {
namespace {

// Below this many elements a step runs on the calling thread (the loop is memory-bound; waking the
// OpenMP team costs more than it saves on small parameters).
constexpr int64_t kParallelMin = 1 << 18;

double HyperField(const Napi::Object& h, const char* name) {
  return ExpectNumber(h.Get(name), (std::string("hyper.") + name).c_str());
}

Napi::Value AdamUpdateJs(const Napi::CallbackInfo& info) {
  const char* names[] = {"param", "grad", "m", "v", "paramOut", "mOut", "vOut"};
  Napi::Float32Array arrays[7];  // non-const: Data() of a const TypedArray is const
  for (size_t i = 0; i < 7; ++i) arrays[i] = ExpectF32(Arg(info, i, names[i]), names[i]);
  const size_t count = arrays[0].ElementLength();
  for (size_t i = 1; i < 7; ++i) {
    if (arrays[i].ElementLength() != count) {
      ThrowRange(info.Env(), std::string(names[i]) + ": expected " + std::to_string(count) + " values (as param), got " +
                                 std::to_string(arrays[i].ElementLength()));
    }
  }
  for (size_t o = 4; o < 7; ++o) {
    for (size_t i = 0; i < 4; ++i) {
      if (arrays[o].Data() == arrays[i].Data() && count > 0) ThrowRange(info.Env(), std::string(names[o]) + " must not be " + names[i]);
    }
  }
  const Napi::Value hv = Arg(info, 7, "hyper");
  if (!hv.IsObject()) ThrowType(info.Env(), "hyper: expected an object");
  const Napi::Object h = hv.As<Napi::Object>();
  const AdamHyper hyper{HyperField(h, "stepSize"), HyperField(h, "beta1"), HyperField(h, "beta2"),
                        HyperField(h, "eps"),      HyperField(h, "weightDecay"), HyperField(h, "bc2Sqrt")};
  AdamUpdateF32(arrays[0].Data(), arrays[1].Data(), arrays[2].Data(), arrays[3].Data(), static_cast<int64_t>(count), hyper, arrays[4].Data(),
                arrays[5].Data(), arrays[6].Data());
  return info.Env().Undefined();
}

}  // namespace

void AdamUpdateF32(const float* param, const float* grad, const float* m, const float* v, int64_t count, const AdamHyper& h, float* paramOut,
                   float* mOut, float* vOut) {
#pragma omp parallel for schedule(static) if (count >= kParallelMin)
  for (int64_t i = 0; i < count; ++i) {
    const double p = param[i];
    const double g = static_cast<double>(grad[i]) + h.weightDecay * p;
    const double mi = h.beta1 * static_cast<double>(m[i]) + (1 - h.beta1) * g;
    const double vi = h.beta2 * static_cast<double>(v[i]) + (1 - h.beta2) * g * g;
    mOut[i] = static_cast<float>(mi);
    vOut[i] = static_cast<float>(vi);
    paramOut[i] = static_cast<float>(p - (h.stepSize * mi) / (std::sqrt(vi) / h.bc2Sqrt + h.eps));
  }
}

void RegisterAdam(Napi::Env env, Napi::Object exports) {
  exports.Set("adamUpdate", Napi::Function::New(env, AdamUpdateJs, "adamUpdate"));
}

}  // namespace mnf::kernels
