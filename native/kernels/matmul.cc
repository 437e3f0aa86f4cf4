// Batched matrix product with oneDNN: out[b] = act(op(a[b]) · op(b[b]) + bias), where op is an
// optional transpose and a batch of 1 on either side is broadcast.
#include "kernels/matmul.h"

#include <omp.h>

#include <algorithm>
#include <map>
#include <unordered_map>
#include <memory>
#include <stdexcept>
#include <string>

#include "common/napi_args.h"
#include "kernels/dnnl_context.h"

namespace mnf::kernels {
namespace {

using dnnl::memory;

std::string Key(const MatMulProblem& p, int threads) {
  return std::to_string(threads) + "t" + std::to_string(p.batchA) + "," + std::to_string(p.batchB) + "," + std::to_string(p.m) + "," +
         std::to_string(p.k) + "," + std::to_string(p.n) + "," + std::to_string(p.transposeA) +
         std::to_string(p.transposeB) + std::to_string(p.bias) + "," + std::to_string(p.activation) + "," +
         std::to_string(p.alpha);
}

struct MatMulPrimitive {
  dnnl::matmul::primitive_desc pd;
  dnnl::matmul primitive;
};

std::unique_ptr<MatMulPrimitive> Build(const MatMulProblem& p) {
  const auto f32 = memory::data_type::f32;
  // a is stored [batchA, m, k] or, transposed, [batchA, k, m]; strides describe the logical (m, k) view.
  memory::desc a({p.batchA, p.m, p.k}, f32,
                 p.transposeA ? memory::dims{p.m * p.k, 1, p.m} : memory::dims{p.m * p.k, p.k, 1});
  memory::desc b({p.batchB, p.k, p.n}, f32,
                 p.transposeB ? memory::dims{p.k * p.n, 1, p.k} : memory::dims{p.k * p.n, p.n, 1});
  const int64_t batch = std::max(p.batchA, p.batchB);
  memory::desc out({batch, p.m, p.n}, f32, memory::format_tag::abc);
  dnnl::post_ops ops;
  switch (p.activation) {
    case kRelu: ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f); break;
    case kRelu6: ops.append_eltwise(1.f, dnnl::algorithm::eltwise_clip, 0.f, 6.f); break;
    case kElu: ops.append_eltwise(1.f, dnnl::algorithm::eltwise_elu, 1.f, 0.f); break;
    case kSigmoid: ops.append_eltwise(1.f, dnnl::algorithm::eltwise_logistic, 0.f, 0.f); break;
    case kLeakyRelu: ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, p.alpha, 0.f); break;
    default: break;
  }
  dnnl::primitive_attr attr;
  attr.set_post_ops(ops);
  auto built = std::make_unique<MatMulPrimitive>();
  if (p.bias) {
    memory::desc bias({1, 1, p.n}, f32, memory::format_tag::abc);
    built->pd = dnnl::matmul::primitive_desc(dnnl::matmul::desc(a, b, bias, out), attr, CpuEngine());
  } else {
    built->pd = dnnl::matmul::primitive_desc(dnnl::matmul::desc(a, b, out), attr, CpuEngine());
  }
  built->primitive = dnnl::matmul(built->pd);
  return built;
}

// matMul(a, aShape [batchA, rowsA, colsA], b, bShape [batchB, rowsB, colsB], out, transposeA,
//        transposeB, bias | null, activation, leakyAlpha)
Napi::Value MatMul(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto a = ExpectF32(Arg(info, 0, "a"), "a");
  Shape aShape = ExpectShape(Arg(info, 1, "aShape"), "aShape", 3);
  auto b = ExpectF32(Arg(info, 2, "b"), "b");
  Shape bShape = ExpectShape(Arg(info, 3, "bShape"), "bShape", 3);
  auto out = ExpectF32(Arg(info, 4, "out"), "out");
  MatMulProblem p;
  p.transposeA = ExpectBool(Arg(info, 5, "transposeA"), "transposeA");
  p.transposeB = ExpectBool(Arg(info, 6, "transposeB"), "transposeB");
  Napi::Value biasArg = Arg(info, 7, "bias");
  p.bias = !biasArg.IsNull();
  p.activation = static_cast<int>(ExpectInt(Arg(info, 8, "activation"), "activation"));
  p.alpha = static_cast<float>(ExpectNumber(Arg(info, 9, "leakyAlpha"), "leakyAlpha"));
  if (p.activation < kLinear || p.activation > kLeakyRelu) {
    ThrowRange(env, "activation: expected a code 0..5, got " + std::to_string(p.activation));
  }
  ExpectElements(a, aShape, "a");
  ExpectElements(b, bShape, "b");
  const std::string sizes = SetMatMulSizes(p, aShape, bShape);
  if (!sizes.empty()) ThrowRange(env, sizes);
  if (p.batchA != p.batchB && p.batchA != 1 && p.batchB != 1) {
    ThrowRange(env, "matMul: batch sizes " + std::to_string(p.batchA) + " and " + std::to_string(p.batchB) +
                        " must match or one must be 1");
  }
  const int64_t batch = std::max(p.batchA, p.batchB);
  ExpectElements(out, {batch, p.m, p.n}, "out");
  Napi::Float32Array bias;
  if (p.bias) {
    bias = ExpectF32(biasArg, "bias");
    ExpectElements(bias, {p.n}, "bias");
  }
  const std::string problem = CheckMatMul(p);
  if (!problem.empty()) ThrowRange(env, problem);
  try {
    RunMatMul(p, a.Data(), b.Data(), p.bias ? bias.Data() : nullptr, out.Data());
  } catch (const std::runtime_error& e) {
    ThrowRange(env, e.what());
  }
  return env.Undefined();
}

}  // namespace

std::string SetMatMulSizes(MatMulProblem& p, const Shape& aShape, const Shape& bShape) {
  p.batchA = aShape[0];
  p.batchB = bShape[0];
  p.m = p.transposeA ? aShape[2] : aShape[1];
  p.k = p.transposeA ? aShape[1] : aShape[2];
  const int64_t kb = p.transposeB ? bShape[2] : bShape[1];
  p.n = p.transposeB ? bShape[1] : bShape[2];
  if (p.k == kb) return "";
  return "matMul: inner dimensions differ: a " + ShapeToString(aShape) + " gives " + std::to_string(p.k) + ", b " + ShapeToString(bShape) +
         " gives " + std::to_string(kb);
}

std::string CheckMatMul(const MatMulProblem& p) {
  if (p.activation < kLinear || p.activation > kLeakyRelu) return "activation: expected a code 0..5, got " + std::to_string(p.activation);
  if (p.batchA < 0 || p.batchB < 0 || p.m < 0 || p.n < 0 || p.k < 0) return "matMul: sizes must be >= 0";
  if (p.batchA != p.batchB && p.batchA != 1 && p.batchB != 1) {
    return "matMul: batch sizes " + std::to_string(p.batchA) + " and " + std::to_string(p.batchB) + " must match or one must be 1";
  }
  if (p.k == 0 && std::max(p.batchA, p.batchB) * p.m * p.n != 0) return "matMul: inner dimension is 0";
  return "";
}

void RunMatMul(const MatMulProblem& p, const float* a, const float* b, const float* bias, float* out) {
  const int64_t batch = std::max(p.batchA, p.batchB);
  if (batch * p.m * p.n == 0) return;
  try {
    std::lock_guard<std::mutex> lock(KernelMutex());
    ScopedThreads threads(ThreadsFor(static_cast<double>(batch) * p.m * p.n * p.k));
    static std::map<std::string, std::unique_ptr<MatMulPrimitive>> cache;
    auto& slot = cache[Key(p, omp_get_max_threads())];
    if (!slot) slot = Build(p);
    const auto& pd = slot->pd;
    std::unordered_map<int, memory> args{
        {DNNL_ARG_SRC, memory(pd.src_desc(), CpuEngine(), const_cast<float*>(a))},
        {DNNL_ARG_WEIGHTS, memory(pd.weights_desc(), CpuEngine(), const_cast<float*>(b))},
        {DNNL_ARG_DST, memory(pd.dst_desc(), CpuEngine(), out)}};
    if (p.bias) args.emplace(DNNL_ARG_BIAS, memory(pd.bias_desc(), CpuEngine(), const_cast<float*>(bias)));
    slot->primitive.execute(CpuStream(), args);
    CpuStream().wait();
  } catch (const dnnl::error& e) {
    throw std::runtime_error(std::string("matMul: oneDNN rejected the problem: ") + e.what());
  }
}

void RegisterMatMul(Napi::Env env, Napi::Object exports) {
  exports.Set("matMul", Napi::Function::New(env, MatMul, "matMul"));
}

}  // namespace mnf::kernels
