// Convolutions (2-D NHWC/HWIO and 3-D NDHWC/DHWIO, as tfjs stores them) with oneDNN: forward,
// gradient w.r.t. the input and gradient w.r.t. the filter. Primitives are built once per shape
// and kept; activations stay channels-last, weights are reordered to oneDNN's layout per call.
#include "kernels/conv.h"

#include <omp.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include "common/napi_args.h"
#include "kernels/dnnl_context.h"
#include "kernels/operand.h"

namespace mnf::kernels {
namespace {

using dnnl::memory;
using Tag = memory::format_tag;

// tfjs's cpu kernel starts sampling at row -pad where a pad is negative; the crop below does the same.
struct ConvGeometry : ConvProblem {
  explicit ConvGeometry(const ConvProblem& p) : ConvProblem(p) {}

  size_t Spatial() const { return x.size() - 2; }
  int64_t CropBefore(size_t i) const { return padBefore[i] < 0 ? -padBefore[i] : 0; }
  int64_t CropAfter(size_t i) const { return padAfter[i] < 0 ? -padAfter[i] : 0; }
  // The part of x the convolution reads, and the pads oneDNN sees (never negative).
  Shape CroppedX() const {
    Shape c = x;
    for (size_t i = 0; i < Spatial(); ++i) c[i + 1] -= CropBefore(i) + CropAfter(i);
    return c;
  }
  memory::dims PadL() const {
    memory::dims p = padBefore;
    for (auto& v : p) v = v < 0 ? 0 : v;
    return p;
  }
  memory::dims PadR() const {
    memory::dims p = padAfter;
    for (auto& v : p) v = v < 0 ? 0 : v;
    return p;
  }
  bool Cropped() const { return CroppedX() != x; }
};

// oneDNN's logical order is N, C, spatial... for activations and O, I, spatial... for weights.
memory::dims ActivationDims(const Shape& s) {
  memory::dims d{s[0], s.back()};
  for (size_t i = 1; i + 1 < s.size(); ++i) d.push_back(s[i]);
  return d;
}
memory::dims WeightDims(const Shape& w) {
  memory::dims d{w[w.size() - 1], w[w.size() - 2]};
  for (size_t i = 0; i + 2 < w.size(); ++i) d.push_back(w[i]);
  return d;
}

memory::desc UserActivation(const Shape& s) {
  return memory::desc(ActivationDims(s), memory::data_type::f32, s.size() == 4 ? Tag::nhwc : Tag::ndhwc);
}
// x as the caller stores it; when pads are negative, the window of it the convolution reads.
memory::desc UserInput(const ConvGeometry& g) {
  memory::desc full = UserActivation(g.x);
  if (!g.Cropped()) return full;
  memory::dims offsets{0, 0};
  for (size_t i = 0; i < g.Spatial(); ++i) offsets.push_back(g.CropBefore(i));
  return full.submemory_desc(ActivationDims(g.CroppedX()), offsets);
}
memory::desc UserWeights(const Shape& w) {
  return memory::desc(WeightDims(w), memory::data_type::f32, w.size() == 4 ? Tag::hwio : Tag::dhwio);
}

// Activations stay channels-last inside oneDNN (no activation reorders; oneDNN 2.6 has nhwc/ndhwc
// JIT and brgemm kernels); MNF_CONV_LAYOUT=any lets oneDNN pick (a channel-blocked layout on
// AVX-512) and reorders activations in and out on every call, as PyTorch does.
bool LetOneDnnPickActivationLayout() {
  const char* v = std::getenv("MNF_CONV_LAYOUT");
  return v && std::string(v) == "any";
}

memory::desc Wanted(const memory::dims& dims, bool activation) {
  if (activation && !LetOneDnnPickActivationLayout()) {
    return memory::desc(dims, memory::data_type::f32, dims.size() == 4 ? Tag::nhwc : Tag::ndhwc);
  }
  return memory::desc(dims, memory::data_type::f32, Tag::any);
}

struct ConvPrimitive {
  dnnl::primitive primitive;
  int inArg0, inArg1, outArg;
  Operand in0, in1, out;
};

dnnl::convolution_forward::primitive_desc ForwardDesc(const ConvGeometry& g) {
  memory::dims dil = g.dilations;
  for (auto& d : dil) d -= 1;  // oneDNN counts the gaps
  dnnl::convolution_forward::desc desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct,
                                       Wanted(ActivationDims(g.CroppedX()), true), Wanted(WeightDims(g.w), false),
                                       Wanted(ActivationDims(g.y), true), g.strides, dil, g.PadL(), g.PadR());
  return dnnl::convolution_forward::primitive_desc(desc, CpuEngine());
}

std::unique_ptr<ConvPrimitive> Build(ConvKind kind, const ConvGeometry& g) {
  auto fwd = ForwardDesc(g);
  memory::dims dil = g.dilations;
  for (auto& d : dil) d -= 1;
  auto p = std::make_unique<ConvPrimitive>();
  switch (kind) {
    case ConvKind::Forward:
      p->primitive = dnnl::convolution_forward(fwd);
      p->inArg0 = DNNL_ARG_SRC;
      p->inArg1 = DNNL_ARG_WEIGHTS;
      p->outArg = DNNL_ARG_DST;
      p->in0 = Operand(UserInput(g), fwd.src_desc(), true);
      p->in1 = Operand(UserWeights(g.w), fwd.weights_desc(), true);
      p->out = Operand(UserActivation(g.y), fwd.dst_desc(), false);
      break;
    case ConvKind::BackwardInput: {
      dnnl::convolution_backward_data::desc desc(dnnl::algorithm::convolution_direct,
                                                 Wanted(ActivationDims(g.CroppedX()), true), Wanted(WeightDims(g.w), false),
                                                 Wanted(ActivationDims(g.y), true), g.strides, dil, g.PadL(), g.PadR());
      dnnl::convolution_backward_data::primitive_desc pd(desc, CpuEngine(), fwd);
      p->primitive = dnnl::convolution_backward_data(pd);
      p->inArg0 = DNNL_ARG_DIFF_DST;
      p->inArg1 = DNNL_ARG_WEIGHTS;
      p->outArg = DNNL_ARG_DIFF_SRC;
      p->in0 = Operand(UserActivation(g.y), pd.diff_dst_desc(), true);
      p->in1 = Operand(UserWeights(g.w), pd.weights_desc(), true);
      p->out = Operand(UserInput(g), pd.diff_src_desc(), false);  // rows outside the window stay 0
      break;
    }
    case ConvKind::BackwardFilter: {
      dnnl::convolution_backward_weights::desc desc(
          dnnl::algorithm::convolution_direct, Wanted(ActivationDims(g.CroppedX()), true), Wanted(WeightDims(g.w), false),
          Wanted(ActivationDims(g.y), true), g.strides, dil, g.PadL(), g.PadR());
      dnnl::convolution_backward_weights::primitive_desc pd(desc, CpuEngine(), fwd);
      p->primitive = dnnl::convolution_backward_weights(pd);
      p->inArg0 = DNNL_ARG_SRC;
      p->inArg1 = DNNL_ARG_DIFF_DST;
      p->outArg = DNNL_ARG_DIFF_WEIGHTS;
      p->in0 = Operand(UserInput(g), pd.src_desc(), true);
      p->in1 = Operand(UserActivation(g.y), pd.diff_dst_desc(), true);
      p->out = Operand(UserWeights(g.w), pd.diff_weights_desc(), false);
      break;
    }
  }
  return p;
}

std::string Key(ConvKind kind, const ConvGeometry& g, int threads) {
  std::string key = std::to_string(static_cast<int>(kind)) + (LetOneDnnPickActivationLayout() ? "any" : "plain") +
                    "t" + std::to_string(threads);
  for (const auto* v : {&g.x, &g.w, &g.y}) key += ShapeToString(*v);
  for (const auto* v : {&g.strides, &g.dilations, &g.padBefore, &g.padAfter}) key += ShapeToString(*v);
  return key;
}

// Multiply-adds of the convolution (the same for its two gradients).
double Macs(const ConvGeometry& g) {
  double macs = static_cast<double>(ShapeSize(g.y)) * static_cast<double>(g.x.back());
  for (size_t i = 0; i < g.Spatial(); ++i) macs *= static_cast<double>(g.w[i]);
  return macs;
}

// Built and run under the calling thread's current OpenMP thread count (part of the key).
ConvPrimitive& Cached(ConvKind kind, const ConvGeometry& g) {
  static std::map<std::string, std::unique_ptr<ConvPrimitive>> cache;
  auto& slot = cache[Key(kind, g, omp_get_max_threads())];
  if (!slot) slot = Build(kind, g);
  return *slot;
}

// One integer per spatial dim, each >= min (pads may be negative, so ExpectShape does not fit).
memory::dims ExpectSpatial(const Napi::Value& v, const char* what, size_t spatial, int64_t min) {
  if (!v.IsArray() || v.As<Napi::Array>().Length() != spatial) {
    ThrowType(v.Env(), std::string(what) + ": expected an array of " + std::to_string(spatial) + " integers");
  }
  auto array = v.As<Napi::Array>();
  memory::dims s(spatial);
  for (uint32_t i = 0; i < spatial; ++i) s[i] = ExpectInt(array.Get(i), what);
  for (int64_t d : s) {
    if (d < min) ThrowRange(v.Env(), std::string(what) + ": entries must be >= " + std::to_string(min) + ", got " + ShapeToString(s));
  }
  return s;
}

// Arguments common to the three functions:
//   (in0, in0Shape, in1, in1Shape, out, outShape, strides, dilations, padBefore, padAfter)
// which of x / filter / y each array is depends on the kind.
Napi::Value ConvEntry(const Napi::CallbackInfo& info, ConvKind kind) {
  Napi::Env env = info.Env();
  static const char* names[3][3] = {{"x", "filter", "y"}, {"dy", "filter", "dx"}, {"x", "dy", "dFilter"}};
  const char* const* n = names[static_cast<int>(kind)];
  std::string shapeName[3] = {std::string(n[0]) + "Shape", std::string(n[1]) + "Shape", std::string(n[2]) + "Shape"};

  Napi::Float32Array arrays[3];
  Shape shapes[3];
  for (int i = 0; i < 3; ++i) {
    arrays[i] = ExpectF32(Arg(info, 2 * i, n[i]), n[i]);
    shapes[i] = ExpectShape(Arg(info, 2 * i + 1, shapeName[i].c_str()), shapeName[i].c_str());
    if (shapes[i].size() != 4 && shapes[i].size() != 5) {
      ThrowRange(env, shapeName[i] + ": expected rank 4 (2-D conv) or 5 (3-D conv), got " + ShapeToString(shapes[i]));
    }
    ExpectElements(arrays[i], shapes[i], n[i]);
  }
  ConvProblem g;
  switch (kind) {
    case ConvKind::Forward: g.x = shapes[0], g.w = shapes[1], g.y = shapes[2]; break;
    case ConvKind::BackwardInput: g.y = shapes[0], g.w = shapes[1], g.x = shapes[2]; break;
    case ConvKind::BackwardFilter: g.x = shapes[0], g.y = shapes[1], g.w = shapes[2]; break;
  }
  if (g.x.size() != g.w.size() || g.x.size() != g.y.size()) {
    ThrowRange(env, "conv: x, filter and y must have the same rank, got x " + ShapeToString(g.x) + ", filter " +
                        ShapeToString(g.w) + ", y " + ShapeToString(g.y));
  }
  const size_t sp = g.x.size() - 2;
  g.strides = ExpectSpatial(Arg(info, 6, "strides"), "strides", sp, 1);
  g.dilations = ExpectSpatial(Arg(info, 7, "dilations"), "dilations", sp, 1);
  g.padBefore = ExpectSpatial(Arg(info, 8, "padBefore"), "padBefore", sp, INT32_MIN);
  g.padAfter = ExpectSpatial(Arg(info, 9, "padAfter"), "padAfter", sp, INT32_MIN);

  const std::string problem = CheckConv(g);
  if (!problem.empty()) ThrowRange(env, problem);

  try {
    RunConv(kind, g, arrays[0].Data(), arrays[1].Data(), arrays[2].Data());
  } catch (const std::runtime_error& e) {
    ThrowRange(env, e.what());
  }
  return env.Undefined();
}

}  // namespace

std::string CheckConv(const ConvProblem& g) {
  if (g.w.size() != g.x.size() || g.y.size() != g.x.size() || g.x.size() < 3) return "conv: x, filter and y must have the same rank >= 3";
  const ConvGeometry geometry(g);
  const size_t sp = geometry.Spatial();
  for (const auto* v : {&g.strides, &g.dilations, &g.padBefore, &g.padAfter}) {
    if (v->size() != sp) return "conv: strides, dilations and pads need " + std::to_string(sp) + " entries each";
  }
  for (size_t i = 0; i < sp; ++i) {
    if (g.strides[i] < 1 || g.dilations[i] < 1) return "conv: strides and dilations must be >= 1, got " + ShapeToString(g.strides) + ", " + ShapeToString(g.dilations);
  }
  const int64_t cin = g.x.back(), cout = g.y.back();
  if (g.w[sp] != cin) {
    return "conv: filter " + ShapeToString(g.w) + " expects " + std::to_string(g.w[sp]) +
                        " input channels, x " + ShapeToString(g.x) + " has " + std::to_string(cin);
  }
  if (g.w[sp + 1] != cout) {
    return "conv: filter " + ShapeToString(g.w) + " has " + std::to_string(g.w[sp + 1]) +
                        " output channels, y " + ShapeToString(g.y) + " has " + std::to_string(cout);
  }
  if (g.x[0] != g.y[0]) return "conv: batch of x " + ShapeToString(g.x) + " and y " + ShapeToString(g.y) + " differ";
  for (size_t i = 0; i < sp; ++i) {
    int64_t span = (g.w[i] - 1) * g.dilations[i] + 1;
    int64_t padded = g.x[i + 1] + g.padBefore[i] + g.padAfter[i];
    int64_t expected = padded >= span ? (padded - span) / g.strides[i] + 1 : 0;
    if (geometry.CropBefore(i) + geometry.CropAfter(i) >= g.x[i + 1]) {
      return "conv: pads " + std::to_string(g.padBefore[i]) + "/" + std::to_string(g.padAfter[i]) +
                          " leave nothing of spatial dim " + std::to_string(i) + " of x " + ShapeToString(g.x);
    }
    if (expected != g.y[i + 1] || expected < 1) {
      return "conv: spatial dim " + std::to_string(i) + " of y " + ShapeToString(g.y) + " should be " +
                          std::to_string(expected) + " for x " + ShapeToString(g.x) + ", filter " + ShapeToString(g.w) +
                          ", stride " + std::to_string(g.strides[i]) + ", pads " + std::to_string(g.padBefore[i]) + "/" +
                          std::to_string(g.padAfter[i]);
    }
  }
  if (ShapeSize(g.x) == 0 || ShapeSize(g.w) == 0) return "conv: empty tensors are not supported";

  return "";
}

void RunConv(ConvKind kind, const ConvProblem& problem, const float* in0, const float* in1, float* out) {
  const ConvGeometry g(problem);
  try {
    std::lock_guard<std::mutex> lock(KernelMutex());
    ScopedThreads threads(ThreadsFor(Macs(g)));
    ConvPrimitive& p = Cached(kind, g);
    // dx rows that a negative pad cuts away get no gradient, and oneDNN does not write them
    if (kind == ConvKind::BackwardInput && g.Cropped()) std::memset(out, 0, static_cast<size_t>(ShapeSize(g.x)) * sizeof(float));
    dnnl::memory m0 = p.in0.Bind(const_cast<float*>(in0));
    dnnl::memory m1 = p.in1.Bind(const_cast<float*>(in1));
    dnnl::memory dst = p.out.Bind(out);
    p.primitive.execute(CpuStream(), {{p.inArg0, m0}, {p.inArg1, m1}, {p.outArg, dst}});
    p.out.Finish(out);
    CpuStream().wait();
  } catch (const dnnl::error& e) {
    throw std::runtime_error(std::string("conv: oneDNN rejected the problem: ") + e.what());
  }
}

void RegisterConv(Napi::Env env, Napi::Object exports) {
  exports.Set("conv", Napi::Function::New(env, [](const Napi::CallbackInfo& i) { return ConvEntry(i, ConvKind::Forward); }, "conv"));
  exports.Set("convBackpropInput",
              Napi::Function::New(env, [](const Napi::CallbackInfo& i) { return ConvEntry(i, ConvKind::BackwardInput); }, "convBackpropInput"));
  exports.Set("convBackpropFilter",
              Napi::Function::New(env, [](const Napi::CallbackInfo& i) { return ConvEntry(i, ConvKind::BackwardFilter); }, "convBackpropFilter"));
}

}  // namespace mnf::kernels
