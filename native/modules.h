// Each capability folder exports one registration function; addon.cc only calls them.
#pragma once
#include <napi.h>

namespace mnf {
void RegisterDevice(Napi::Env env, Napi::Object exports);   // native/cuda/
void RegisterDeviceMemory(Napi::Env env, Napi::Object exports);  // native/device/
void RegisterDeviceConvMatMul(Napi::Env env, Napi::Object exports);  // native/device/ (conv, matmul, fused ops)
void RegisterDeviceElementwise(Napi::Env env, Napi::Object exports);  // native/device/ (element-wise, reductions, layout)
void RegisterDeviceClips(Napi::Env env, Napi::Object exports);  // native/device/register_clips.cc (the clip data path)
void RegisterCudaLibraries(Napi::Env env, Napi::Object exports);  // native/device/cuda_libraries.cc
void RegisterKernels(Napi::Env env, Napi::Object exports);  // native/kernels/
void RegisterCsc(Napi::Env env, Napi::Object exports);      // native/csc/
void RegisterDecode(Napi::Env env, Napi::Object exports);   // native/decode/
void RegisterNorm(Napi::Env env, Napi::Object exports);     // native/norm/
void RegisterDistributed(Napi::Env env, Napi::Object exports);  // native/distributed/ (MPI collectives)
void RegisterNccl(Napi::Env env, Napi::Object exports);  // native/distributed/register_nccl*.cc (NCCL on device buffers)
}  // namespace mnf
