// NCCL (libnccl.so.2) loaded at run time with dlopen: no NCCL header or link-time dependency, so the
// addon loads where NCCL is absent. The prototypes are the few the addon calls, declared here as in
// NCCL's nccl.h (src/nccl.h.in of NVIDIA/nccl); every enum is a C enum, passed as an int.
// UNVERIFIED: no NCCL has been loaded by this code yet (no GPU machine has run it); the values below
// were checked against the published nccl.h only.
#pragma once
#include <string>

struct CUstream_st;  // cudaStream_t

namespace mnf::nccl {

using Comm = struct ncclComm*;  // ncclComm_t
using Result = int;             // ncclResult_t

constexpr int kUniqueIdBytes = 128;  // NCCL_UNIQUE_ID_BYTES
// ncclUniqueId: passed by value to ncclCommInitRank, so the layout must be nccl.h's exactly.
struct UniqueId {
  char internal[kUniqueIdBytes];
};

constexpr Result kSuccess = 0;  // ncclSuccess
constexpr int kUint8 = 1;       // ncclDataType_t ncclUint8
constexpr int kFloat32 = 7;     // ncclDataType_t ncclFloat32
constexpr int kSum = 0;         // ncclRedOp_t ncclSum

struct Api {
  std::string path;     // the file loaded
  std::string version;  // "major.minor.patch" from ncclGetVersion

  Result (*GetVersion)(int* version);
  Result (*GetUniqueId)(UniqueId* id);
  Result (*CommInitRank)(Comm* comm, int nranks, UniqueId id, int rank);
  Result (*AllReduce)(const void* send, void* receive, size_t count, int datatype, int op, Comm comm, CUstream_st* stream);
  Result (*AllGather)(const void* send, void* receive, size_t sendCount, int datatype, Comm comm, CUstream_st* stream);
  Result (*Broadcast)(const void* send, void* receive, size_t count, int datatype, int root, Comm comm, CUstream_st* stream);
  Result (*CommDestroy)(Comm comm);
  /** frees the communicator without waiting for peers (a peer may be gone) */
  Result (*CommAbort)(Comm comm);
  const char* (*GetErrorString)(Result result);
};

// Loads libnccl.so.2 on the first call: the file MNF_NCCL_LIB names, when set; else the one the
// shared CUDA-library search found (native/device/cuda_libraries.cc: MNF_CUDA_LIBS, LD_LIBRARY_PATH,
// the CUDA toolkit's folders, Python site-packages/nvidia/*/lib, where PyTorch's nvidia-nccl wheel
// puts it). Throws std::runtime_error (one line naming the file or the folders searched, or the
// symbol missing); later calls throw the same error. The library stays loaded for the process lifetime.
const Api& Load();

// "<what>: <ncclGetErrorString>" for a failed call.
std::string ErrorText(const Api& api, const char* what, Result result);

}  // namespace mnf::nccl
