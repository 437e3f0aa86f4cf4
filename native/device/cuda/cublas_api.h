// The few cuBLAS calls the matrix products make, declared here and resolved with dlsym from the
// libcublas that cuda_libraries found: the build needs no cuBLAS header. Types and enum values as
// cublas_api.h and library_types.h of CUDA 12/13 define them.
#pragma once
#include <string>

struct CUstream_st;  // cudaStream_t

namespace mnf::device::cublas {

using Handle = struct cublasContext*;
using Status = int;  // cublasStatus_t

constexpr Status kSuccess = 0;

// cublasOperation_t
enum Operation : int { kOpN = 0, kOpT = 1 };
// cublasMath_t
enum Math : int { kDefaultMath = 0, kPedanticMath = 2, kTf32TensorOpMath = 3 };
// cublasComputeType_t
enum ComputeType : int { kCompute32F = 68, kCompute32FFastTf32 = 77 };
// cudaDataType_t (library_types.h)
enum DataType : int { kR32F = 0, kR16BF = 14 };
// cublasGemmAlgo_t
constexpr int kGemmDefault = -1;

struct Api {
  Status (*create)(Handle*);
  Status (*setStream)(Handle, CUstream_st*);
  Status (*setMathMode)(Handle, int mode);
  Status (*gemmStridedBatchedEx)(Handle, int transa, int transb, int m, int n, int k, const void* alpha, const void* a, int aType,
                                 int lda, long long strideA, const void* b, int bType, int ldb, long long strideB, const void* beta,
                                 void* c, int cType, int ldc, long long strideC, int batchCount, int computeType, int algo);
  /** cublasGetStatusString (cuBLAS 11.4+), null when the library lacks it */
  const char* (*statusString)(Status);
};

/** The calls of the loaded libcublas, or null when it was not found or lacks one of them. */
const Api* Load();

/** Throws std::runtime_error("cuBLAS <what>: <status>") unless status is kSuccess. */
void Check(const Api& api, Status status, const char* what);

}  // namespace mnf::device::cublas
