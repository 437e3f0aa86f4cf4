// The few cuDNN 9 calls the convolutions make (the legacy convolution API, still in 9.x), declared
// here and resolved with dlsym from the libcudnn that cuda_libraries found: the build needs no cuDNN
// header. Types and enum values as cudnn_ops.h / cudnn_cnn.h / cudnn_graph.h of cuDNN 9 define them.
#pragma once
#include <cstddef>
#include <string>

struct CUstream_st;  // cudaStream_t

namespace mnf::device::cudnn {

using Handle = struct cudnnContext*;
using TensorDescriptor = struct cudnnTensorStruct*;
using FilterDescriptor = struct cudnnFilterStruct*;
using ConvolutionDescriptor = struct cudnnConvolutionStruct*;
using Status = int;  // cudnnStatus_t

constexpr Status kSuccess = 0;

// cudnnDataType_t
enum DataType : int { kFloat = 0, kBfloat16 = 9 };
// cudnnTensorFormat_t
enum TensorFormat : int { kNchw = 0, kNhwc = 1 };
// cudnnConvolutionMode_t
enum ConvolutionMode : int { kConvolution = 0, kCrossCorrelation = 1 };
// cudnnMathType_t
enum MathType : int { kDefaultMath = 0, kTensorOpMath = 1, kTensorOpMathAllowConversion = 2, kFmaMath = 3 };

// cudnnConvolutionFwdAlgoPerf_t; the BwdData and BwdFilter structs have the same layout.
struct AlgoPerf {
  int algo;
  Status status;
  float time;
  size_t memory;
  int determinism;
  int mathType;
  int reserved[3];
};

struct Api {
  Status (*create)(Handle*);
  Status (*setStream)(Handle, CUstream_st*);
  const char* (*getErrorString)(Status);
  Status (*createTensorDescriptor)(TensorDescriptor*);
  Status (*setTensorNdDescriptor)(TensorDescriptor, int dataType, int nbDims, const int dims[], const int strides[]);
  Status (*destroyTensorDescriptor)(TensorDescriptor);
  Status (*createFilterDescriptor)(FilterDescriptor*);
  Status (*setFilterNdDescriptor)(FilterDescriptor, int dataType, int format, int nbDims, const int dims[]);
  Status (*destroyFilterDescriptor)(FilterDescriptor);
  Status (*createConvolutionDescriptor)(ConvolutionDescriptor*);
  Status (*setConvolutionNdDescriptor)(ConvolutionDescriptor, int arrayLength, const int pads[], const int strides[],
                                       const int dilations[], int mode, int computeType);
  Status (*setConvolutionMathType)(ConvolutionDescriptor, int mathType);
  Status (*destroyConvolutionDescriptor)(ConvolutionDescriptor);
  Status (*getForwardAlgorithm)(Handle, TensorDescriptor x, FilterDescriptor w, ConvolutionDescriptor, TensorDescriptor y,
                                int requested, int* returned, AlgoPerf* results);
  Status (*getBackwardDataAlgorithm)(Handle, FilterDescriptor w, TensorDescriptor dy, ConvolutionDescriptor, TensorDescriptor dx,
                                     int requested, int* returned, AlgoPerf* results);
  Status (*getBackwardFilterAlgorithm)(Handle, TensorDescriptor x, TensorDescriptor dy, ConvolutionDescriptor, FilterDescriptor dw,
                                       int requested, int* returned, AlgoPerf* results);
  Status (*getForwardWorkspaceSize)(Handle, TensorDescriptor x, FilterDescriptor w, ConvolutionDescriptor, TensorDescriptor y,
                                    int algo, size_t* bytes);
  Status (*getBackwardDataWorkspaceSize)(Handle, FilterDescriptor w, TensorDescriptor dy, ConvolutionDescriptor, TensorDescriptor dx,
                                         int algo, size_t* bytes);
  Status (*getBackwardFilterWorkspaceSize)(Handle, TensorDescriptor x, TensorDescriptor dy, ConvolutionDescriptor, FilterDescriptor dw,
                                           int algo, size_t* bytes);
  Status (*convolutionForward)(Handle, const void* alpha, TensorDescriptor x, const void* xData, FilterDescriptor w, const void* wData,
                               ConvolutionDescriptor, int algo, void* workspace, size_t workspaceBytes, const void* beta,
                               TensorDescriptor y, void* yData);
  Status (*convolutionBackwardData)(Handle, const void* alpha, FilterDescriptor w, const void* wData, TensorDescriptor dy,
                                    const void* dyData, ConvolutionDescriptor, int algo, void* workspace, size_t workspaceBytes,
                                    const void* beta, TensorDescriptor dx, void* dxData);
  Status (*convolutionBackwardFilter)(Handle, const void* alpha, TensorDescriptor x, const void* xData, TensorDescriptor dy,
                                      const void* dyData, ConvolutionDescriptor, int algo, void* workspace, size_t workspaceBytes,
                                      const void* beta, FilterDescriptor dw, void* dwData);
};

/** The calls of the loaded libcudnn, or null when it was not found or lacks one of them. */
const Api* Load();

/** Throws std::runtime_error("cuDNN <what>: <cudnnGetErrorString>") unless status is kSuccess. */
void Check(const Api& api, Status status, const char* what);

}  // namespace mnf::device::cudnn
