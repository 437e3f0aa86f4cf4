#include "device/ops_layout.h"

#include <cstring>

#include "device/ops_host.h"

#ifdef MNF_WITH_CUDA
#include "device/cuda/layout.h"
#include "device/cuda_device.h"
#endif

namespace mnf::device {
namespace {

template <typename T>
void Transpose(const T* x, const Shape& xShape, const std::vector<int64_t>& perm, T* out) {
  const size_t rank = xShape.size();
  const int64_t n = ShapeSize(xShape);
  if (n == 0) return;
  std::vector<int64_t> xStrides(rank, 1);
  for (size_t i = rank; i-- > 1;) xStrides[i - 1] = xStrides[i] * xShape[i];
  // walk out in row-major order; `strides[k]` steps x along out's axis k
  std::vector<int64_t> outShape(rank), strides(rank), loc(rank, 0);
  for (size_t k = 0; k < rank; ++k) outShape[k] = xShape[perm[k]], strides[k] = xStrides[perm[k]];
  int64_t ix = 0;
  for (int64_t i = 0; i < n; ++i) {
    out[i] = x[ix];
    for (size_t k = rank; k-- > 0;) {
      if (++loc[k] < outShape[k]) {
        ix += strides[k];
        break;
      }
      ix -= strides[k] * (outShape[k] - 1);
      loc[k] = 0;
    }
  }
}

}  // namespace

void TransposeOp(Device& d, size_t elementBytes, const void* x, const Shape& xShape, const std::vector<int64_t>& perm, void* out) {
#ifdef MNF_WITH_CUDA
  if (CudaDevice* gpu = AsCudaDevice(d)) return cuda::Transpose(*gpu, elementBytes, x, xShape, perm, out);
#endif
  RequireHostMemory(d, "deviceTranspose");
  if (elementBytes == 4) {
    Transpose(static_cast<const uint32_t*>(x), xShape, perm, static_cast<uint32_t*>(out));
  } else {
    Transpose(static_cast<const uint8_t*>(x), xShape, perm, static_cast<uint8_t*>(out));
  }
}

void CopyBlockOp(Device& d, size_t elementBytes, const void* src, int64_t srcRowLength, int64_t srcOffset, void* dst,
                 int64_t dstRowLength, int64_t dstOffset, int64_t rows, int64_t cols) {
#ifdef MNF_WITH_CUDA
  if (CudaDevice* gpu = AsCudaDevice(d)) return cuda::CopyBlock(*gpu, elementBytes, src, srcRowLength, srcOffset, dst, dstRowLength, dstOffset, rows, cols);
#endif
  RequireHostMemory(d, "deviceCopyBlock");
  const uint8_t* s = static_cast<const uint8_t*>(src);
  uint8_t* t = static_cast<uint8_t*>(dst);
  const size_t rowBytes = static_cast<size_t>(cols) * elementBytes;
  for (int64_t r = 0; r < rows; ++r) {
    std::memcpy(t + static_cast<size_t>(dstOffset + r * dstRowLength) * elementBytes,
                s + static_cast<size_t>(srcOffset + r * srcRowLength) * elementBytes, rowBytes);
  }
}

}  // namespace mnf::device
