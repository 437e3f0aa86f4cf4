// CUDA kernels of the reduction and softmax device ops (ops_reduce.h has their contracts and codes):
// host entry points taking the CUDA device and device pointers, launched on its compute stream
// without synchronising. Arguments are checked by the caller.
#pragma once
#include <cstdint>
#include <vector>

namespace mnf::device {
class CudaDevice;
}

namespace mnf::device::cuda {

/** ReduceOp on the GPU. meanDividesFirst: Mean divides each element by the count in float32 before
 *  summing (tfjs-cpu's order) rather than dividing the sum (the addon's loop); ops_reduce.cc decides. */
void Reduce(CudaDevice& gpu, int op, int dtype, const void* x, const std::vector<int64_t>& xShape, const std::vector<int64_t>& axes,
            void* out, bool meanDividesFirst);

/** SoftmaxOp on the GPU: float32 x [rows, cols] along cols. */
void Softmax(CudaDevice& gpu, const void* x, void* out, int64_t rows, int64_t cols);

}  // namespace mnf::device::cuda
