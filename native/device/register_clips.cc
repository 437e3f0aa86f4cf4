// The clip data path as a device op (src/native/device-clips.ts is the only caller):
//   deviceDecodeClips(device, clips, request) -> Promise<(string|null)[B]>
//     request: {paths: string[B], frames: Int32Array(B*T), boxes: Float32Array(B*4) [x, y, w, h],
//               flips: Uint8Array(B), size: S, mean?: Float32Array(3), std?: Float32Array(3)}
//     clips: a buffer id of exactly B*T*S*S*3 float32 (B*T*S*S*3*4 bytes), written as (B, T, S, S, 3).
//   Resolves with one fault line (or null) per clip, whose slice is zeroed: on the CUDA device once the
//   transform is queued on the compute stream, on the emulated device once it is done. The buffer
//   must stay allocated until the promise settles (the caller owns it); the device handle is kept alive.
#include <string>
#include <vector>

#include "common/napi_args.h"
#include "common/promise_worker.h"
#include "decode/clip_request_args.h"
#include "device/buffer_access.h"
#include "device/ops_clips.h"
#include "modules.h"

namespace mnf {
namespace {

class DecodeClipsWorker final : public PromiseWorker {
 public:
  DecodeClipsWorker(Napi::Env env, Napi::Value handle, device::Device& d, void* out, decode::ClipBatchRequest request)
      : PromiseWorker(env, "mnf:deviceDecodeClips"), handle_(Napi::Persistent(handle)), device_(d), out_(out), request_(std::move(request)) {}

  void Execute() override {
    try {
      faults_ = device::DecodeClipsOp(device_, request_.clips, request_.size, request_.norm, out_);
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }

 protected:
  Napi::Value Result(Napi::Env env) override {
    Napi::Array list = Napi::Array::New(env, faults_.size());
    for (size_t i = 0; i < faults_.size(); ++i) {
      list.Set(static_cast<uint32_t>(i), faults_[i].empty() ? env.Null() : Napi::String::New(env, faults_[i]));
    }
    return list;
  }

 private:
  // keeps the device (and its allocator) alive while the decode threads write its buffer
  Napi::Reference<Napi::Value> handle_;
  device::Device& device_;
  void* out_;
  decode::ClipBatchRequest request_;
  std::vector<std::string> faults_;
};

Napi::Value DeviceDecodeClips(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  device::Device& d = device::ExpectDeviceHandle(info, 0);
  decode::ClipBatchRequest request = decode::ReadClipBatchRequest(Arg(info, 2, "request"));
  const size_t bytes = request.clips.size() * static_cast<size_t>(request.length) * request.size * request.size * 3 * sizeof(float);
  void* out = device::ExpectDeviceBuffer(info, 0, 1, "clips", bytes);
  auto* worker = new DecodeClipsWorker(env, info[0], d, out, std::move(request));  // a queued AsyncWorker deletes itself
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

}  // namespace

void RegisterDeviceClips(Napi::Env env, Napi::Object exports) {
  exports.Set("deviceDecodeClips", Napi::Function::New(env, DeviceDecodeClips, "deviceDecodeClips"));
}

}  // namespace mnf
