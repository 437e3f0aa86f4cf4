#include "common/napi_args.h"

#include <cmath>
#include <sstream>

namespace mnf {

std::string ShapeToString(const Shape& shape) {
  std::ostringstream out;
  out << "[";
  for (size_t i = 0; i < shape.size(); ++i) out << (i ? ", " : "") << shape[i];
  out << "]";
  return out.str();
}

int64_t ShapeSize(const Shape& shape) {
  int64_t size = 1;
  for (int64_t d : shape) size *= d;
  return size;
}

void ThrowType(Napi::Env env, const std::string& message) { throw Napi::TypeError::New(env, message); }
void ThrowRange(Napi::Env env, const std::string& message) { throw Napi::RangeError::New(env, message); }

Napi::Value Arg(const Napi::CallbackInfo& info, size_t index, const char* what) {
  if (info.Length() <= index || info[index].IsUndefined()) {
    ThrowType(info.Env(), std::string("missing argument ") + std::to_string(index) + " (" + what + ")");
  }
  return info[index];
}

template <napi_typedarray_type Kind, typename T>
static Napi::TypedArrayOf<T> ExpectTyped(const Napi::Value& value, const char* what, const char* name) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != Kind) {
    ThrowType(value.Env(), std::string(what) + ": expected a " + name);
  }
  return value.As<Napi::TypedArrayOf<T>>();
}

Napi::Float32Array ExpectF32(const Napi::Value& value, const char* what) {
  return ExpectTyped<napi_float32_array, float>(value, what, "Float32Array");
}
Napi::Int32Array ExpectI32(const Napi::Value& value, const char* what) {
  return ExpectTyped<napi_int32_array, int32_t>(value, what, "Int32Array");
}
Napi::Uint8Array ExpectU8(const Napi::Value& value, const char* what) {
  return ExpectTyped<napi_uint8_array, uint8_t>(value, what, "Uint8Array");
}

Shape ExpectShape(const Napi::Value& value, const char* what, size_t rank) {
  if (!value.IsArray()) ThrowType(value.Env(), std::string(what) + ": expected a shape array");
  auto array = value.As<Napi::Array>();
  if (rank != 0 && array.Length() != rank) {
    ThrowRange(value.Env(), std::string(what) + ": expected rank " + std::to_string(rank) + ", got rank " +
                                std::to_string(array.Length()));
  }
  Shape shape(array.Length());
  for (uint32_t i = 0; i < array.Length(); ++i) {
    Napi::Value d = array.Get(i);
    if (!d.IsNumber()) ThrowType(value.Env(), std::string(what) + ": shape entries must be numbers");
    double v = d.As<Napi::Number>().DoubleValue();
    if (v < 0 || std::floor(v) != v) {
      ThrowRange(value.Env(), std::string(what) + ": shape entries must be non-negative integers");
    }
    shape[i] = static_cast<int64_t>(v);
  }
  return shape;
}

int64_t ExpectInt(const Napi::Value& value, const char* what) {
  if (!value.IsNumber()) ThrowType(value.Env(), std::string(what) + ": expected an integer");
  double v = value.As<Napi::Number>().DoubleValue();
  if (std::floor(v) != v) ThrowRange(value.Env(), std::string(what) + ": expected an integer, got " + std::to_string(v));
  return static_cast<int64_t>(v);
}

double ExpectNumber(const Napi::Value& value, const char* what) {
  if (!value.IsNumber()) ThrowType(value.Env(), std::string(what) + ": expected a number");
  return value.As<Napi::Number>().DoubleValue();
}

bool ExpectBool(const Napi::Value& value, const char* what) {
  if (!value.IsBoolean()) ThrowType(value.Env(), std::string(what) + ": expected a boolean");
  return value.As<Napi::Boolean>().Value();
}

std::string ExpectString(const Napi::Value& value, const char* what) {
  if (!value.IsString()) ThrowType(value.Env(), std::string(what) + ": expected a string");
  return value.As<Napi::String>().Utf8Value();
}

void ExpectElements(const Napi::TypedArray& array, const Shape& shape, const char* what) {
  if (static_cast<int64_t>(array.ElementLength()) != ShapeSize(shape)) {
    ThrowRange(array.Env(), std::string(what) + ": shape " + ShapeToString(shape) + " needs " +
                                std::to_string(ShapeSize(shape)) + " elements, got " +
                                std::to_string(array.ElementLength()));
  }
}

}  // namespace mnf
