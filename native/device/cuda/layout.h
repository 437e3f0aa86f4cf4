// CUDA kernels of the layout device ops (ops_layout.h has their contracts): host entry points taking
// the CUDA device and device pointers, launched on its compute stream without synchronising.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace mnf::device {
class CudaDevice;
}

namespace mnf::device::cuda {

void Transpose(CudaDevice& gpu, size_t elementBytes, const void* x, const std::vector<int64_t>& xShape, const std::vector<int64_t>& perm,
               void* out);
void CopyBlock(CudaDevice& gpu, size_t elementBytes, const void* src, int64_t srcRowLength, int64_t srcOffset, void* dst,
               int64_t dstRowLength, int64_t dstOffset, int64_t rows, int64_t cols);

}  // namespace mnf::device::cuda
