// How a convolution or matrix product computes (--precision, --tf32), and the bf16 rule the emulated
// device and the CUDA kernels share: the op's operands are rounded to bf16 (round to nearest, ties to
// even) and the product is accumulated in fp32, then the output is rounded to bf16 — what PyTorch
// autocast's bf16 conv/matmul return (bf16 in, fp32 accumulation, bf16 out). Every buffer stays
// float32: a bf16 value is stored as the float32 it equals. The weights are never rounded in place
// (they stay fp32 master copies); only the op's reads of them are.
#pragma once
#include <cstdint>
#include <cstring>

#ifdef __CUDACC__
#define MNF_HOST_DEVICE __host__ __device__
#else
#define MNF_HOST_DEVICE
#endif

namespace mnf::device {

enum class Precision { kFp32, kBf16 };

struct MathMode {
  Precision precision = Precision::kFp32;
  /** fp32 ops may use TF32 tensor cores (CUDA only; no effect under bf16 or on the emulated device) */
  bool tf32 = false;
  bool bf16() const { return precision == Precision::kBf16; }
};

/** v rounded to the nearest bfloat16 (ties to even), as a float; NaN stays NaN, overflow gives ±inf. */
MNF_HOST_DEVICE inline float RoundToBf16(float v) {
  uint32_t bits;
  memcpy(&bits, &v, sizeof bits);
  if ((bits & 0x7fffffffu) > 0x7f800000u) {
    bits |= 0x00400000u;  // quiet the NaN so that truncating the mantissa keeps it a NaN
  } else {
    bits += 0x7fffu + ((bits >> 16) & 1u);
  }
  bits &= 0xffff0000u;
  memcpy(&v, &bits, sizeof v);
  return v;
}

}  // namespace mnf::device
