// Argument checking at the N-API boundary: every addon function validates shapes, dtypes and
// lengths here and throws a JS TypeError/RangeError that names the argument and what was expected.
#pragma once
#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

namespace mnf {

using Shape = std::vector<int64_t>;

std::string ShapeToString(const Shape& shape);
int64_t ShapeSize(const Shape& shape);

[[noreturn]] void ThrowType(Napi::Env env, const std::string& message);
[[noreturn]] void ThrowRange(Napi::Env env, const std::string& message);

// info[index] must exist; `what` names the argument in error messages.
Napi::Value Arg(const Napi::CallbackInfo& info, size_t index, const char* what);

Napi::Float32Array ExpectF32(const Napi::Value& value, const char* what);
Napi::Int32Array ExpectI32(const Napi::Value& value, const char* what);
Napi::Uint8Array ExpectU8(const Napi::Value& value, const char* what);
// rank 0 accepts any rank; every dimension must be a non-negative integer.
Shape ExpectShape(const Napi::Value& value, const char* what, size_t rank = 0);
int64_t ExpectInt(const Napi::Value& value, const char* what);
double ExpectNumber(const Napi::Value& value, const char* what);
bool ExpectBool(const Napi::Value& value, const char* what);
std::string ExpectString(const Napi::Value& value, const char* what);

// The typed array must hold exactly ShapeSize(shape) elements.
void ExpectElements(const Napi::TypedArray& array, const Shape& shape, const char* what);

template <typename T>
T* Data(const Napi::TypedArrayOf<T>& array) {
  return array.Data();
}

}  // namespace mnf
