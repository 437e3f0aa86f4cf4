// Device buffers for backend 'cuda' (src/native/device-memory.ts is the only caller):
//   deviceOpen(kind: "emulated" | "cuda") -> handle (an External; the device closes when it is collected)
//   deviceName(handle) -> string
//   deviceAlloc(handle, bytes) -> buffer id (a positive integer)
//   deviceFree(handle, id)
//   deviceWrite(handle, id, typedArray)           host -> device; byteLength must equal the buffer's bytes
//   deviceReadSync(handle, id, typedArray)        device -> host, on the calling thread
//   deviceRead(handle, id, typedArray) -> Promise device -> host, off the JS thread
//   deviceCopy(handle, dstId, srcId, bytes)       device -> device; bytes within both buffers
//   deviceStats(handle) -> { inUseBytes, cachedBytes, peakBytes, allocations, hostToDeviceBytes,
//                            deviceToHostBytes, buffers }
//   deviceEmptyCache(handle)                      returns the allocator's cached blocks to the device
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "common/napi_args.h"
#include "device/buffer_access.h"
#include "device/caching_allocator.h"
#include "modules.h"

namespace mnf {
namespace {

using device::Block;
using device::CachingAllocator;

// A buffer returns its block to the allocator when the last owner lets go (an in-flight async read
// keeps it alive after deviceFree).
struct Buffer {
  Buffer(std::shared_ptr<CachingAllocator> allocator, size_t bytes)
      : allocator(std::move(allocator)), bytes(bytes), block(this->allocator->Allocate(bytes)) {}
  ~Buffer() { allocator->Release(block); }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  std::shared_ptr<CachingAllocator> allocator;
  size_t bytes;
  Block block;
};

struct DeviceState {
  explicit DeviceState(std::unique_ptr<device::Device> device)
      : allocator(std::make_shared<CachingAllocator>(std::move(device))) {}
  std::shared_ptr<CachingAllocator> allocator;
  std::unordered_map<uint32_t, std::shared_ptr<Buffer>> buffers;
  uint32_t nextId = 1;
};

using StateHandle = std::shared_ptr<DeviceState>;

constexpr napi_type_tag kDeviceTag = {0x6d6e66646576696cULL, 0x2d62756666657273ULL};

DeviceState& ExpectDevice(const Napi::CallbackInfo& info) {
  Napi::Value value = Arg(info, 0, "device");
  if (!value.IsExternal() || !value.As<Napi::External<StateHandle>>().CheckTypeTag(&kDeviceTag)) {
    ThrowType(info.Env(), "device: expected a handle from deviceOpen");
  }
  return **value.As<Napi::External<StateHandle>>().Data();
}

uint32_t ExpectBufferId(const Napi::CallbackInfo& info, size_t index, const char* what) {
  const int64_t id = ExpectInt(Arg(info, index, what), what);
  if (id < 1 || id > UINT32_MAX) ThrowRange(info.Env(), std::string(what) + ": expected a buffer id >= 1, got " + std::to_string(id));
  return static_cast<uint32_t>(id);
}

std::shared_ptr<Buffer> FindBuffer(const Napi::CallbackInfo& info, DeviceState& state, size_t index, const char* what) {
  const uint32_t id = ExpectBufferId(info, index, what);
  auto found = state.buffers.find(id);
  if (found != state.buffers.end()) return found->second;
  if (id < state.nextId) ThrowRange(info.Env(), std::string(what) + ": buffer " + std::to_string(id) + " was freed");
  ThrowRange(info.Env(), std::string(what) + ": unknown buffer " + std::to_string(id));
}

Napi::TypedArray ExpectHostArray(const Napi::CallbackInfo& info, size_t index, const Buffer& buffer, const char* fn) {
  Napi::Value value = Arg(info, index, "array");
  if (!value.IsTypedArray()) ThrowType(info.Env(), std::string(fn) + ": array: expected a typed array");
  Napi::TypedArray array = value.As<Napi::TypedArray>();
  if (array.ByteLength() != buffer.bytes) {
    ThrowRange(info.Env(), std::string(fn) + ": array: expected " + std::to_string(buffer.bytes) + " bytes (the buffer's size), got " +
                               std::to_string(array.ByteLength()));
  }
  return array;
}

uint8_t* HostBytes(const Napi::TypedArray& array) {
  return static_cast<uint8_t*>(array.ArrayBuffer().Data()) + array.ByteOffset();
}

Napi::Value DeviceOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string kind = ExpectString(Arg(info, 0, "kind"), "kind");
  std::string reason;
  std::unique_ptr<device::Device> dev = device::OpenDevice(kind, reason);
  if (!dev) throw Napi::Error::New(env, reason);
  auto owned = std::make_unique<StateHandle>(std::make_shared<DeviceState>(std::move(dev)));
  auto handle = Napi::External<StateHandle>::New(env, owned.get(), [](Napi::Env, StateHandle* state) {
    std::unique_ptr<StateHandle> release(state);
  });
  owned.release();  // owned by the External's finalizer from here
  handle.TypeTag(&kDeviceTag);
  return handle;
}

Napi::Value DeviceName(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), ExpectDevice(info).allocator->device().Name());
}

Napi::Value DeviceAlloc(const Napi::CallbackInfo& info) {
  DeviceState& state = ExpectDevice(info);
  const int64_t bytes = ExpectInt(Arg(info, 1, "bytes"), "bytes");
  if (bytes < 0) ThrowRange(info.Env(), "bytes: expected >= 0, got " + std::to_string(bytes));
  if (state.nextId == UINT32_MAX) ThrowRange(info.Env(), "deviceAlloc: buffer ids exhausted");
  const uint32_t id = state.nextId++;
  state.buffers.emplace(id, std::make_shared<Buffer>(state.allocator, static_cast<size_t>(bytes)));
  return Napi::Number::New(info.Env(), id);
}

Napi::Value DeviceFree(const Napi::CallbackInfo& info) {
  DeviceState& state = ExpectDevice(info);
  FindBuffer(info, state, 1, "id");
  state.buffers.erase(ExpectBufferId(info, 1, "id"));
  return info.Env().Undefined();
}

Napi::Value DeviceWrite(const Napi::CallbackInfo& info) {
  DeviceState& state = ExpectDevice(info);
  std::shared_ptr<Buffer> buffer = FindBuffer(info, state, 1, "id");
  Napi::TypedArray array = ExpectHostArray(info, 2, *buffer, "deviceWrite");
  state.allocator->device().CopyHostToDevice(buffer->block.ptr, HostBytes(array), buffer->bytes);
  state.allocator->CountHostToDevice(buffer->bytes);
  return info.Env().Undefined();
}

Napi::Value DeviceReadSync(const Napi::CallbackInfo& info) {
  DeviceState& state = ExpectDevice(info);
  std::shared_ptr<Buffer> buffer = FindBuffer(info, state, 1, "id");
  Napi::TypedArray array = ExpectHostArray(info, 2, *buffer, "deviceReadSync");
  device::Device& dev = state.allocator->device();
  dev.CopyDeviceToHost(HostBytes(array), buffer->block.ptr, buffer->bytes);
  dev.Synchronize();
  state.allocator->CountDeviceToHost(buffer->bytes);
  return info.Env().Undefined();
}

class ReadWorker final : public Napi::AsyncWorker {
 public:
  ReadWorker(Napi::Env env, std::shared_ptr<Buffer> buffer, Napi::TypedArray array)
      : Napi::AsyncWorker(env, "mnf:deviceRead"),
        deferred_(Napi::Promise::Deferred::New(env)),
        buffer_(std::move(buffer)),
        target_(Napi::Persistent(array)),
        host_(HostBytes(array)) {}

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    device::Device& dev = buffer_->allocator->device();
    dev.CopyDeviceToHost(host_, buffer_->block.ptr, buffer_->bytes);
    dev.Synchronize();
    buffer_->allocator->CountDeviceToHost(buffer_->bytes);
  }
  void OnOK() override {
    buffer_.reset();
    deferred_.Resolve(target_.Value());
  }
  void OnError(const Napi::Error& error) override {
    buffer_.reset();
    deferred_.Reject(error.Value());
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<Buffer> buffer_;
  // keeps the destination array alive while the copy runs
  Napi::Reference<Napi::TypedArray> target_;
  uint8_t* host_;
};

Napi::Value DeviceRead(const Napi::CallbackInfo& info) {
  DeviceState& state = ExpectDevice(info);
  std::shared_ptr<Buffer> buffer = FindBuffer(info, state, 1, "id");
  Napi::TypedArray array = ExpectHostArray(info, 2, *buffer, "deviceRead");
  auto* worker = new ReadWorker(info.Env(), std::move(buffer), array);  // node-addon-api deletes a queued AsyncWorker itself
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

Napi::Value DeviceCopy(const Napi::CallbackInfo& info) {
  DeviceState& state = ExpectDevice(info);
  std::shared_ptr<Buffer> dst = FindBuffer(info, state, 1, "dst");
  std::shared_ptr<Buffer> src = FindBuffer(info, state, 2, "src");
  const int64_t bytes = ExpectInt(Arg(info, 3, "bytes"), "bytes");
  if (bytes < 0 || static_cast<uint64_t>(bytes) > src->bytes || static_cast<uint64_t>(bytes) > dst->bytes) {
    ThrowRange(info.Env(), "bytes: expected 0.." + std::to_string(std::min(src->bytes, dst->bytes)) +
                               " (within both buffers), got " + std::to_string(bytes));
  }
  state.allocator->device().CopyDeviceToDevice(dst->block.ptr, src->block.ptr, static_cast<size_t>(bytes));
  return info.Env().Undefined();
}

Napi::Value DeviceStats(const Napi::CallbackInfo& info) {
  DeviceState& state = ExpectDevice(info);
  const device::AllocatorStats s = state.allocator->Stats();
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("inUseBytes", Napi::Number::New(env, static_cast<double>(s.inUseBytes)));
  out.Set("cachedBytes", Napi::Number::New(env, static_cast<double>(s.cachedBytes)));
  out.Set("peakBytes", Napi::Number::New(env, static_cast<double>(s.peakBytes)));
  out.Set("allocations", Napi::Number::New(env, static_cast<double>(s.allocations)));
  out.Set("hostToDeviceBytes", Napi::Number::New(env, static_cast<double>(s.hostToDeviceBytes)));
  out.Set("deviceToHostBytes", Napi::Number::New(env, static_cast<double>(s.deviceToHostBytes)));
  out.Set("buffers", Napi::Number::New(env, static_cast<double>(state.buffers.size())));
  return out;
}

Napi::Value DeviceEmptyCache(const Napi::CallbackInfo& info) {
  ExpectDevice(info).allocator->EmptyCache();
  return info.Env().Undefined();
}

}  // namespace

namespace device {
namespace {
DeviceState& StateAt(const Napi::CallbackInfo& info, size_t index) {
  Napi::Value value = Arg(info, index, "device");
  if (!value.IsExternal() || !value.As<Napi::External<StateHandle>>().CheckTypeTag(&kDeviceTag)) {
    ThrowType(info.Env(), "device: expected a handle from deviceOpen");
  }
  return **value.As<Napi::External<StateHandle>>().Data();
}
}  // namespace

Device& ExpectDeviceHandle(const Napi::CallbackInfo& info, size_t index) {
  return StateAt(info, index).allocator->device();
}

void* ExpectDeviceBuffer(const Napi::CallbackInfo& info, size_t deviceIndex, size_t index, const char* what, size_t bytes) {
  std::shared_ptr<Buffer> buffer = FindBuffer(info, StateAt(info, deviceIndex), index, what);
  if (buffer->bytes != bytes) {
    ThrowRange(info.Env(), std::string(what) + ": expected a buffer of " + std::to_string(bytes) + " bytes (its shape × dtype), buffer " +
                               std::to_string(ExpectBufferId(info, index, what)) + " has " + std::to_string(buffer->bytes));
  }
  return buffer->block.ptr;
}

}  // namespace device

void RegisterDeviceMemory(Napi::Env env, Napi::Object exports) {
  exports.Set("deviceOpen", Napi::Function::New(env, DeviceOpen, "deviceOpen"));
  exports.Set("deviceName", Napi::Function::New(env, DeviceName, "deviceName"));
  exports.Set("deviceAlloc", Napi::Function::New(env, DeviceAlloc, "deviceAlloc"));
  exports.Set("deviceFree", Napi::Function::New(env, DeviceFree, "deviceFree"));
  exports.Set("deviceWrite", Napi::Function::New(env, DeviceWrite, "deviceWrite"));
  exports.Set("deviceReadSync", Napi::Function::New(env, DeviceReadSync, "deviceReadSync"));
  exports.Set("deviceRead", Napi::Function::New(env, DeviceRead, "deviceRead"));
  exports.Set("deviceCopy", Napi::Function::New(env, DeviceCopy, "deviceCopy"));
  exports.Set("deviceStats", Napi::Function::New(env, DeviceStats, "deviceStats"));
  exports.Set("deviceEmptyCache", Napi::Function::New(env, DeviceEmptyCache, "deviceEmptyCache"));
}

}  // namespace mnf
