// The version of the addon's exported interface (every function's name, arguments and results),
// exported as `abiVersion` and checked at load against NATIVE_ABI_VERSION in src/native/binding.ts.
// Bump both together whenever an exported function is added, removed, or changes what it takes or returns.
#pragma once

namespace mnf {
constexpr int kAbiVersion = 6;
}  // namespace mnf
