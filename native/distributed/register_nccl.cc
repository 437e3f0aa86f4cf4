// NCCL collectives on device buffers of the CUDA device (src/native/nccl.ts is the only caller).
// Builds without CUDA get register_nccl_absent.cc, whose functions say NCCL needs the CUDA build.
//   ncclProblem() -> string | undefined                 why NCCL cannot be used here (library, GPU)
//   ncclUniqueId() -> Uint8Array(128)                    rank 0's id; every rank passes it to ncclInit
//   ncclInit(device, id, rank, size) -> Promise<{ version, library }>   the communicator, off the JS thread
//   ncclAllreduceSumDevice(device, buffer, elements)     float32 sum over ranks, in place
//   ncclAllgatherDevice(device, src, dst, bytes)         every rank's `bytes` of src into dst, rank order
//   ncclBroadcastDevice(device, buffer, bytes, root)     root's bytes, in place
//   ncclFinalize()                                       waits for the device, frees the communicator
// The collectives are enqueued on the device's compute stream, after the ops that wrote their
// buffers and before the ops that read them, and return at once (no host synchronisation). Every
// rank must issue the same collectives in the same order. One communicator per process.
// UNVERIFIED: none of this has run against a real NCCL (no GPU machine with NCCL has run it yet).
#ifdef MNF_WITH_CUDA
#include <napi.h>

#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "common/napi_args.h"
#include "common/promise_worker.h"
#include "cuda/device.h"
#include "device/buffer_access.h"
#include "device/cuda/cuda_device.cuh"
#include "distributed/nccl_api.h"
#include "modules.h"

namespace mnf {
namespace {

using device::CudaDevice;

// The process's one communicator. JS calls (and the init worker's completion) run on the JS thread
// of the environment that initialized it; the mutex covers a call from another thread's environment.
struct Communicator {
  std::mutex mutex;
  bool initializing = false;
  nccl::Comm comm = nullptr;  // non-null once ncclInit resolved, until ncclFinalize
  napi_env env = nullptr;
  int size = 0;
  CudaDevice* gpu = nullptr;
  // keeps the device (its stream, its buffers) open while the communicator enqueues work on it
  Napi::Reference<Napi::Value> device;
};

Communicator& State() {
  static Communicator state;
  return state;
}

const nccl::Api& LoadApi(Napi::Env env) {
  try {
    return nccl::Load();
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
}

// Frees the communicator without waiting for peers: its environment is going away (process exit,
// worker terminated) before ncclFinalize ran, and a peer may already be gone.
void AbortAtExit(void*) {
  Communicator& state = State();
  std::lock_guard<std::mutex> lock(state.mutex);
  if (state.comm != nullptr) nccl::Load().CommAbort(state.comm);
  state.comm = nullptr;
  state.device.Reset();
}

// The communicator for a collective on `d` from this environment; a JS error naming `function` otherwise.
struct Ready {
  const nccl::Api& api;
  nccl::Comm comm;
  int size;
  CudaDevice& gpu;
};

Ready ExpectReady(Napi::Env env, device::Device& d, const char* function) {
  Communicator& state = State();
  std::lock_guard<std::mutex> lock(state.mutex);
  if (state.comm == nullptr) {
    throw Napi::Error::New(env, std::string(function) + (state.initializing ? ": ncclInit has not resolved yet (await it first)"
                                                                            : ": NCCL is not initialized (call ncclInit first)"));
  }
  if (state.env != static_cast<napi_env>(env)) throw Napi::Error::New(env, std::string(function) + ": NCCL was initialized on another thread");
  if (device::AsCudaDevice(d) != state.gpu) throw Napi::Error::New(env, std::string(function) + ": device: not the device NCCL was initialized on");
  return {nccl::Load(), state.comm, state.size, *state.gpu};
}

int64_t ExpectCount(const Napi::CallbackInfo& info, size_t index, const char* what) {
  const int64_t count = ExpectInt(Arg(info, index, what), what);
  // 2^48: far above any device buffer, and byte counts derived from it cannot overflow
  if (count < 0 || count > (int64_t{1} << 48)) ThrowRange(info.Env(), std::string(what) + ": expected 0..2^48, got " + std::to_string(count));
  return count;
}

// Runs one NCCL call on the JS thread with the device current; its failure becomes a JS error.
template <typename Call>
Napi::Value Enqueue(Napi::Env env, const Ready& ready, const char* function, Call call) {
  return device::RunDeviceOp(env, [&] {
    ready.gpu.MakeCurrent();
    const nccl::Result rc = call();
    if (rc != nccl::kSuccess) throw Napi::Error::New(env, nccl::ErrorText(ready.api, function, rc));
  });
}

Napi::Value NcclProblem(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  try {
    nccl::Load();
  } catch (const std::exception& e) {
    return Napi::String::New(env, e.what());
  }
  std::vector<cuda::DeviceInfo> devices;
  std::string reason;
  cuda::QueryDevices(devices, reason);
  if (devices.empty()) return Napi::String::New(env, "NCCL needs a CUDA GPU: " + (reason.empty() ? std::string("none found") : reason));
  return env.Undefined();
}

Napi::Value NcclUniqueId(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const nccl::Api& api = LoadApi(env);
  nccl::UniqueId id{};
  const nccl::Result rc = api.GetUniqueId(&id);
  if (rc != nccl::kSuccess) throw Napi::Error::New(env, nccl::ErrorText(api, "ncclGetUniqueId", rc));
  Napi::Uint8Array out = Napi::Uint8Array::New(env, nccl::kUniqueIdBytes);
  std::memcpy(out.Data(), id.internal, nccl::kUniqueIdBytes);
  return out;
}

// ncclCommInitRank blocks until every rank has called it: it runs on a worker thread.
class InitWorker final : public PromiseWorker {
 public:
  InitWorker(Napi::Env env, const nccl::Api& api, Napi::Value device, CudaDevice& gpu, const nccl::UniqueId& id, int rank, int size)
      : PromiseWorker(env, "mnf:ncclInit"), api_(api), device_(Napi::Persistent(device)), gpu_(gpu), id_(id), rank_(rank), size_(size) {}

  void Execute() override {
    try {
      gpu_.MakeCurrent();  // the communicator belongs to the current device of the calling thread
    } catch (const std::exception& e) {
      return SetError(std::string("ncclInit: ") + e.what());
    }
    const nccl::Result rc = api_.CommInitRank(&comm_, size_, id_, rank_);
    if (rc != nccl::kSuccess) {
      comm_ = nullptr;
      SetError(nccl::ErrorText(api_, "ncclCommInitRank", rc));
    }
  }

 protected:
  Napi::Value Result(Napi::Env env) override {
    Communicator& state = State();
    {
      std::lock_guard<std::mutex> lock(state.mutex);
      state.initializing = false;
      state.comm = comm_;
      state.env = env;
      state.size = size_;
      state.gpu = &gpu_;
      state.device = std::move(device_);
    }
    napi_add_env_cleanup_hook(env, AbortAtExit, nullptr);
    Napi::Object out = Napi::Object::New(env);
    out.Set("version", api_.version);
    out.Set("library", api_.path);
    return out;
  }

  void OnError(const Napi::Error& error) override {
    {
      std::lock_guard<std::mutex> lock(State().mutex);
      State().initializing = false;
    }
    PromiseWorker::OnError(error);
  }

 private:
  const nccl::Api& api_;
  Napi::Reference<Napi::Value> device_;
  CudaDevice& gpu_;
  nccl::UniqueId id_;
  int rank_;
  int size_;
  nccl::Comm comm_ = nullptr;
};

Napi::Value NcclInit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  device::Device& d = device::ExpectDeviceHandle(info, 0);
  Napi::Uint8Array idBytes = ExpectU8(Arg(info, 1, "id"), "id");
  if (idBytes.ByteLength() != nccl::kUniqueIdBytes) {
    ThrowRange(env, "id: expected the " + std::to_string(nccl::kUniqueIdBytes) + " bytes of ncclUniqueId, got " + std::to_string(idBytes.ByteLength()));
  }
  const int64_t size = ExpectInt(Arg(info, 3, "size"), "size");
  if (size < 1 || size > INT32_MAX) ThrowRange(env, "size: expected a world size >= 1, got " + std::to_string(size));
  const int64_t rank = ExpectInt(Arg(info, 2, "rank"), "rank");
  if (rank < 0 || rank >= size) ThrowRange(env, "rank: expected 0.." + std::to_string(size - 1) + ", got " + std::to_string(rank));
  CudaDevice* gpu = device::AsCudaDevice(d);
  if (gpu == nullptr) throw Napi::Error::New(env, "ncclInit: NCCL needs the CUDA device, not " + d.Name());
  const nccl::Api& api = LoadApi(env);
  nccl::UniqueId id{};
  std::memcpy(id.internal, idBytes.Data(), nccl::kUniqueIdBytes);
  Communicator& state = State();
  {
    std::lock_guard<std::mutex> lock(state.mutex);
    if (state.initializing || state.comm != nullptr) throw Napi::Error::New(env, "ncclInit: NCCL is already initialized in this process (ncclFinalize first)");
    state.initializing = true;
  }
  auto* worker = new InitWorker(env, api, info[0], *gpu, id, static_cast<int>(rank), static_cast<int>(size));  // node-addon-api deletes it when done
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

Napi::Value NcclAllreduceSumDevice(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  device::Device& d = device::ExpectDeviceHandle(info, 0);
  const int64_t elements = ExpectCount(info, 2, "elements");
  void* buffer = device::ExpectDeviceBuffer(info, 0, 1, "buffer", static_cast<size_t>(elements) * sizeof(float));
  const Ready ready = ExpectReady(env, d, "ncclAllreduceSumDevice");
  if (elements == 0) return env.Undefined();
  return Enqueue(env, ready, "ncclAllReduce", [&] {
    return ready.api.AllReduce(buffer, buffer, static_cast<size_t>(elements), nccl::kFloat32, nccl::kSum, ready.comm, ready.gpu.stream());
  });
}

Napi::Value NcclAllgatherDevice(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  device::Device& d = device::ExpectDeviceHandle(info, 0);
  const int64_t bytes = ExpectCount(info, 3, "bytes");
  const Ready ready = ExpectReady(env, d, "ncclAllgatherDevice");
  const void* src = device::ExpectDeviceBuffer(info, 0, 1, "src", static_cast<size_t>(bytes));
  void* dst = device::ExpectDeviceBuffer(info, 0, 2, "dst", static_cast<size_t>(bytes) * static_cast<size_t>(ready.size));
  if (bytes == 0) return env.Undefined();
  return Enqueue(env, ready, "ncclAllGather", [&] {
    return ready.api.AllGather(src, dst, static_cast<size_t>(bytes), nccl::kUint8, ready.comm, ready.gpu.stream());
  });
}

Napi::Value NcclBroadcastDevice(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  device::Device& d = device::ExpectDeviceHandle(info, 0);
  const int64_t bytes = ExpectCount(info, 2, "bytes");
  void* buffer = device::ExpectDeviceBuffer(info, 0, 1, "buffer", static_cast<size_t>(bytes));
  const int64_t root = ExpectInt(Arg(info, 3, "root"), "root");
  const Ready ready = ExpectReady(env, d, "ncclBroadcastDevice");
  if (root < 0 || root >= ready.size) ThrowRange(env, "root: expected a rank in 0.." + std::to_string(ready.size - 1) + ", got " + std::to_string(root));
  if (bytes == 0) return env.Undefined();
  return Enqueue(env, ready, "ncclBroadcast", [&] {
    return ready.api.Broadcast(buffer, buffer, static_cast<size_t>(bytes), nccl::kUint8, static_cast<int>(root), ready.comm, ready.gpu.stream());
  });
}

Napi::Value NcclFinalize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Communicator& state = State();
  std::lock_guard<std::mutex> lock(state.mutex);
  if (state.initializing) throw Napi::Error::New(env, "ncclFinalize: ncclInit is still in flight (await it first)");
  if (state.comm == nullptr) return env.Undefined();
  if (state.env != static_cast<napi_env>(env)) throw Napi::Error::New(env, "ncclFinalize: NCCL was initialized on another thread");
  const nccl::Api& api = nccl::Load();
  nccl::Comm comm = state.comm;
  state.comm = nullptr;
  napi_remove_env_cleanup_hook(env, AbortAtExit, nullptr);
  // the enqueued collectives finish before their communicator goes; a device that failed cannot
  // tell, and its communicator is aborted instead
  std::string deviceError;
  try {
    state.gpu->Synchronize();
  } catch (const std::exception& e) {
    deviceError = e.what();
  }
  const nccl::Result rc = deviceError.empty() ? api.CommDestroy(comm) : api.CommAbort(comm);
  state.device.Reset();
  if (!deviceError.empty()) throw Napi::Error::New(env, "ncclFinalize: " + deviceError);
  if (rc != nccl::kSuccess) throw Napi::Error::New(env, nccl::ErrorText(api, "ncclCommDestroy", rc));
  return env.Undefined();
}

}  // namespace

void RegisterNccl(Napi::Env env, Napi::Object exports) {
  exports.Set("ncclProblem", Napi::Function::New(env, NcclProblem, "ncclProblem"));
  exports.Set("ncclUniqueId", Napi::Function::New(env, NcclUniqueId, "ncclUniqueId"));
  exports.Set("ncclInit", Napi::Function::New(env, NcclInit, "ncclInit"));
  exports.Set("ncclAllreduceSumDevice", Napi::Function::New(env, NcclAllreduceSumDevice, "ncclAllreduceSumDevice"));
  exports.Set("ncclAllgatherDevice", Napi::Function::New(env, NcclAllgatherDevice, "ncclAllgatherDevice"));
  exports.Set("ncclBroadcastDevice", Napi::Function::New(env, NcclBroadcastDevice, "ncclBroadcastDevice"));
  exports.Set("ncclFinalize", Napi::Function::New(env, NcclFinalize, "ncclFinalize"));
}

}  // namespace mnf
#endif
