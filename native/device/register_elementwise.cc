// Element-wise, reduction, softmax and layout ops on device buffers (src/native/device-ops-elementwise.ts
// is the only caller). Every function takes the device handle first and buffer ids; each buffer's
// byte size is checked against its shape × dtype. dtype codes: 0 float32, 1 int32, 2 bool.
//   deviceUnary(device, op, x, out, size, alpha, beta)                  float32
//   deviceBinary(device, op, dtype, a, aShape, b, bShape, out, outShape) broadcasting; Equal/Less give bool
//   deviceAddN(device, dtype, out, size, ...inputs)
//   deviceFill(device, dtype, out, size, value)
//   deviceOneHot(device, indices, size, depth, onValue, offValue, dtype, out)   indices int32
//   deviceCast(device, fromDtype, x, toDtype, out, size)
//   deviceReduce(device, op, dtype, x, xShape, axes, out)               out: xShape without axes
//   deviceSoftmax(device, x, out, rows, cols)                            float32, last axis
//   deviceTranspose(device, dtype, x, xShape, perm, out)
//   deviceCopyBlock(device, dtype, src, srcRowLength, srcOffset, dst, dstRowLength, dstOffset, rows, cols)
#include <algorithm>
#include <string>
#include <vector>

#include "common/napi_args.h"
#include "device/buffer_access.h"
#include "device/ops_elementwise.h"
#include "device/ops_host.h"
#include "device/ops_layout.h"
#include "device/ops_reduce.h"
#include "modules.h"

namespace mnf {
namespace {

using namespace device;

int ExpectDType(const Napi::CallbackInfo& info, size_t index, const char* what) {
  const int64_t dtype = ExpectInt(Arg(info, index, what), what);
  if (dtype < kFloat32 || dtype > kBool) ThrowRange(info.Env(), std::string(what) + ": expected a dtype code 0..2, got " + std::to_string(dtype));
  return static_cast<int>(dtype);
}

int ExpectCode(const Napi::CallbackInfo& info, size_t index, int count) {
  const int64_t op = ExpectInt(Arg(info, index, "op"), "op");
  if (op < 0 || op >= count) ThrowRange(info.Env(), "op: expected an op code 0.." + std::to_string(count - 1) + ", got " + std::to_string(op));
  return static_cast<int>(op);
}

int64_t ExpectSize(const Napi::CallbackInfo& info, size_t index, const char* what) {
  const int64_t size = ExpectInt(Arg(info, index, what), what);
  if (size < 0) ThrowRange(info.Env(), std::string(what) + ": expected >= 0, got " + std::to_string(size));
  return size;
}

void* BufferOf(const Napi::CallbackInfo& info, size_t index, const char* what, int64_t elements, int dtype) {
  return ExpectDeviceBuffer(info, 0, index, what, static_cast<size_t>(elements) * DTypeBytes(dtype));
}

std::vector<int64_t> ExpectInts(const Napi::CallbackInfo& info, size_t index, const char* what) {
  Napi::Value value = Arg(info, index, what);
  if (!value.IsArray()) ThrowType(info.Env(), std::string(what) + ": expected an array of integers");
  Napi::Array array = value.As<Napi::Array>();
  std::vector<int64_t> out(array.Length());
  for (uint32_t i = 0; i < array.Length(); ++i) out[i] = ExpectInt(array.Get(i), what);
  return out;
}

Napi::Value DeviceUnary(const Napi::CallbackInfo& info) {
  Device& d = ExpectDeviceHandle(info, 0);
  const int op = ExpectCode(info, 1, kUnaryOpCount);
  const int64_t size = ExpectSize(info, 4, "size");
  const void* x = BufferOf(info, 2, "x", size, kFloat32);
  void* out = BufferOf(info, 3, "out", size, kFloat32);
  const double alpha = ExpectNumber(Arg(info, 5, "alpha"), "alpha");
  const double beta = ExpectNumber(Arg(info, 6, "beta"), "beta");
  return RunDeviceOp(info.Env(), [&] { UnaryOp(d, op, x, out, size, alpha, beta); });
}

Napi::Value DeviceBinary(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Device& d = ExpectDeviceHandle(info, 0);
  const int op = ExpectCode(info, 1, kBinaryOpCount);
  const int dtype = ExpectDType(info, 2, "dtype");
  if (dtype == kBool) ThrowRange(env, "dtype: expected float32 (0) or int32 (1) inputs, got bool");
  const Shape aShape = ExpectShape(Arg(info, 4, "aShape"), "aShape");
  const Shape bShape = ExpectShape(Arg(info, 6, "bShape"), "bShape");
  const Shape outShape = ExpectShape(Arg(info, 8, "outShape"), "outShape");
  // outShape must be the broadcast of aShape and bShape
  const size_t rank = std::max(aShape.size(), bShape.size());
  bool ok = outShape.size() == rank;
  for (size_t i = 0; ok && i < rank; ++i) {
    const int64_t da = i < rank - aShape.size() ? 1 : aShape[i - (rank - aShape.size())];
    const int64_t db = i < rank - bShape.size() ? 1 : bShape[i - (rank - bShape.size())];
    ok = (da == db || da == 1 || db == 1) && outShape[i] == (da == 1 ? db : da);
  }
  if (!ok) {
    ThrowRange(env, "outShape: expected the broadcast of " + ShapeToString(aShape) + " and " + ShapeToString(bShape) + ", got " +
                        ShapeToString(outShape));
  }
  const void* a = BufferOf(info, 3, "a", ShapeSize(aShape), dtype);
  const void* b = BufferOf(info, 5, "b", ShapeSize(bShape), dtype);
  void* out = BufferOf(info, 7, "out", ShapeSize(outShape), IsComparison(op) ? kBool : dtype);
  return RunDeviceOp(info.Env(), [&] { BinaryOp(d, op, dtype, a, aShape, b, bShape, out, outShape); });
}

Napi::Value DeviceAddN(const Napi::CallbackInfo& info) {
  Device& d = ExpectDeviceHandle(info, 0);
  const int dtype = ExpectDType(info, 1, "dtype");
  if (dtype == kBool) ThrowRange(info.Env(), "dtype: expected float32 (0) or int32 (1), got bool");
  const int64_t size = ExpectSize(info, 3, "size");
  void* out = BufferOf(info, 2, "out", size, dtype);
  std::vector<const void*> inputs;
  for (size_t i = 4; i < info.Length(); ++i) inputs.push_back(BufferOf(info, i, "inputs", size, dtype));
  return RunDeviceOp(info.Env(), [&] { AddNOp(d, dtype, inputs, out, size); });
}

Napi::Value DeviceFill(const Napi::CallbackInfo& info) {
  Device& d = ExpectDeviceHandle(info, 0);
  const int dtype = ExpectDType(info, 1, "dtype");
  const int64_t size = ExpectSize(info, 3, "size");
  void* out = BufferOf(info, 2, "out", size, dtype);
  const double value = ExpectNumber(Arg(info, 4, "value"), "value");
  return RunDeviceOp(info.Env(), [&] { FillOp(d, dtype, out, size, value); });
}

Napi::Value DeviceOneHot(const Napi::CallbackInfo& info) {
  Device& d = ExpectDeviceHandle(info, 0);
  const int64_t size = ExpectSize(info, 2, "size");
  const int64_t depth = ExpectSize(info, 3, "depth");
  const void* indices = BufferOf(info, 1, "indices", size, kInt32);
  const double on = ExpectNumber(Arg(info, 4, "onValue"), "onValue");
  const double off = ExpectNumber(Arg(info, 5, "offValue"), "offValue");
  const int dtype = ExpectDType(info, 6, "dtype");
  if (dtype == kBool) ThrowRange(info.Env(), "dtype: expected float32 (0) or int32 (1), got bool");
  void* out = BufferOf(info, 7, "out", size * depth, dtype);
  return RunDeviceOp(info.Env(), [&] { OneHotOp(d, indices, size, depth, on, off, dtype, out); });
}

Napi::Value DeviceCast(const Napi::CallbackInfo& info) {
  Device& d = ExpectDeviceHandle(info, 0);
  const int from = ExpectDType(info, 1, "fromDtype");
  const int to = ExpectDType(info, 3, "toDtype");
  const int64_t size = ExpectSize(info, 5, "size");
  const void* x = BufferOf(info, 2, "x", size, from);
  void* out = BufferOf(info, 4, "out", size, to);
  return RunDeviceOp(info.Env(), [&] { CastOp(d, from, x, to, out, size); });
}

Napi::Value DeviceReduce(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Device& d = ExpectDeviceHandle(info, 0);
  const int op = ExpectCode(info, 1, kReduceOpCount);
  const int dtype = ExpectDType(info, 2, "dtype");
  if (dtype == kBool || (dtype == kInt32 && op == kRMean)) ThrowRange(env, "dtype: expected float32 (0), or int32 (1) for Sum/Max/ArgMax");
  const Shape xShape = ExpectShape(Arg(info, 4, "xShape"), "xShape");
  const std::vector<int64_t> axes = ExpectInts(info, 5, "axes");
  const int64_t rank = static_cast<int64_t>(xShape.size());
  for (size_t i = 0; i < axes.size(); ++i) {
    if (axes[i] < 0 || axes[i] >= rank || std::find(axes.begin(), axes.begin() + i, axes[i]) != axes.begin() + i) {
      ThrowRange(env, "axes: expected distinct axes in 0.." + std::to_string(rank - 1) + ", got " + ShapeToString(axes));
    }
  }
  if (op == kRArgMax && axes.size() != 1) ThrowRange(env, "axes: ArgMax reduces exactly one axis, got " + ShapeToString(axes));
  int64_t outSize = 1;
  for (int64_t i = 0; i < rank; ++i)
    if (std::find(axes.begin(), axes.end(), i) == axes.end()) outSize *= xShape[i];
  const int outDtype = op == kRArgMax ? kInt32 : (op == kRMean ? kFloat32 : dtype);
  const void* x = BufferOf(info, 3, "x", ShapeSize(xShape), dtype);
  void* out = BufferOf(info, 6, "out", outSize, outDtype);
  return RunDeviceOp(info.Env(), [&] { ReduceOp(d, op, dtype, x, xShape, axes, out); });
}

Napi::Value DeviceSoftmax(const Napi::CallbackInfo& info) {
  Device& d = ExpectDeviceHandle(info, 0);
  const int64_t rows = ExpectSize(info, 3, "rows");
  const int64_t cols = ExpectSize(info, 4, "cols");
  const void* x = BufferOf(info, 1, "x", rows * cols, kFloat32);
  void* out = BufferOf(info, 2, "out", rows * cols, kFloat32);
  return RunDeviceOp(info.Env(), [&] { SoftmaxOp(d, x, out, rows, cols); });
}

Napi::Value DeviceTranspose(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Device& d = ExpectDeviceHandle(info, 0);
  const int dtype = ExpectDType(info, 1, "dtype");
  const Shape xShape = ExpectShape(Arg(info, 3, "xShape"), "xShape");
  const std::vector<int64_t> perm = ExpectInts(info, 4, "perm");
  std::vector<int64_t> sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  bool isPermutation = sorted.size() == xShape.size();
  for (size_t i = 0; isPermutation && i < sorted.size(); ++i) isPermutation = sorted[i] == static_cast<int64_t>(i);
  if (!isPermutation) {
    ThrowRange(env, "perm: expected a permutation of the " + std::to_string(xShape.size()) + " axes of " + ShapeToString(xShape) + ", got " +
                        ShapeToString(perm));
  }
  const void* x = BufferOf(info, 2, "x", ShapeSize(xShape), dtype);
  void* out = BufferOf(info, 5, "out", ShapeSize(xShape), dtype);
  return RunDeviceOp(info.Env(), [&] { TransposeOp(d, DTypeBytes(dtype), x, xShape, perm, out); });
}

Napi::Value DeviceCopyBlock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Device& d = ExpectDeviceHandle(info, 0);
  const int dtype = ExpectDType(info, 1, "dtype");
  const int64_t srcRow = ExpectSize(info, 3, "srcRowLength");
  const int64_t srcOffset = ExpectSize(info, 4, "srcOffset");
  const int64_t dstRow = ExpectSize(info, 6, "dstRowLength");
  const int64_t dstOffset = ExpectSize(info, 7, "dstOffset");
  const int64_t rows = ExpectSize(info, 8, "rows");
  const int64_t cols = ExpectSize(info, 9, "cols");
  if (srcOffset + cols > srcRow || dstOffset + cols > dstRow) {
    ThrowRange(env, "deviceCopyBlock: the block's columns must lie inside a row of both src and dst");
  }
  // src and dst are whole [rows, rowLength] tensors
  const void* src = BufferOf(info, 2, "src", rows * srcRow, dtype);
  void* dst = BufferOf(info, 5, "dst", rows * dstRow, dtype);
  return RunDeviceOp(info.Env(), [&] { CopyBlockOp(d, DTypeBytes(dtype), src, srcRow, srcOffset, dst, dstRow, dstOffset, rows, cols); });
}

}  // namespace

void RegisterDeviceElementwise(Napi::Env env, Napi::Object exports) {
  exports.Set("deviceUnary", Napi::Function::New(env, DeviceUnary, "deviceUnary"));
  exports.Set("deviceBinary", Napi::Function::New(env, DeviceBinary, "deviceBinary"));
  exports.Set("deviceAddN", Napi::Function::New(env, DeviceAddN, "deviceAddN"));
  exports.Set("deviceFill", Napi::Function::New(env, DeviceFill, "deviceFill"));
  exports.Set("deviceOneHot", Napi::Function::New(env, DeviceOneHot, "deviceOneHot"));
  exports.Set("deviceCast", Napi::Function::New(env, DeviceCast, "deviceCast"));
  exports.Set("deviceReduce", Napi::Function::New(env, DeviceReduce, "deviceReduce"));
  exports.Set("deviceSoftmax", Napi::Function::New(env, DeviceSoftmax, "deviceSoftmax"));
  exports.Set("deviceTranspose", Napi::Function::New(env, DeviceTranspose, "deviceTranspose"));
  exports.Set("deviceCopyBlock", Napi::Function::New(env, DeviceCopyBlock, "deviceCopyBlock"));
}

}  // namespace mnf
