// CUDA kernels of the element-wise device ops (ops_elementwise.h has their contracts and codes):
// host entry points taking the CUDA device and device pointers, launched on its compute stream
// without synchronising. Sizes are checked by the caller.
#pragma once
#include <cstdint>
#include <vector>

namespace mnf::device {
class CudaDevice;
}

namespace mnf::device::cuda {

void Unary(CudaDevice& gpu, int op, const void* x, void* out, int64_t size, double alpha, double beta);
void Binary(CudaDevice& gpu, int op, int dtype, const void* a, const std::vector<int64_t>& aShape, const void* b,
            const std::vector<int64_t>& bShape, void* out, const std::vector<int64_t>& outShape);
void AddN(CudaDevice& gpu, int dtype, const std::vector<const void*>& inputs, void* out, int64_t size);
void Fill(CudaDevice& gpu, int dtype, void* out, int64_t size, double value);
void OneHot(CudaDevice& gpu, const void* indices, int64_t size, int64_t depth, double onValue, double offValue, int dtype, void* out);
void Cast(CudaDevice& gpu, int from, const void* x, int to, void* out, int64_t size);

}  // namespace mnf::device::cuda
