#pragma once
#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

namespace mnf::kernels {
// conv, convBackpropInput, convBackpropFilter
void RegisterConv(Napi::Env env, Napi::Object exports);

enum class ConvKind { Forward, BackwardInput, BackwardFilter };

// A channels-last convolution: x (N, spatial..., Cin), w (spatial..., Cin, Cout), y (N, spatial..., Cout).
struct ConvProblem {
  std::vector<int64_t> x, w, y;
  // Per spatial dim; dilation 1 = dense. A negative pad drops that many input rows (tfjs's 3-D
  // 'same' padding goes negative when the stride exceeds the kernel).
  std::vector<int64_t> strides, dilations, padBefore, padAfter;
};

// Empty when oneDNN can run the problem, else one line saying what is wrong.
std::string CheckConv(const ConvProblem& problem);

// Runs a checked problem on the CPU. in0, in1, out are (x, w, y) for Forward, (dy, w, dx) for
// BackwardInput, (x, dy, dw) for BackwardFilter, each a dense float32 array of its shape.
// Throws std::runtime_error when oneDNN rejects the problem.
void RunConv(ConvKind kind, const ConvProblem& problem, const float* in0, const float* in1, float* out);
}  // namespace mnf::kernels
