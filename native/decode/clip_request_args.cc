#include "decode/clip_request_args.h"

#include <string>

#include "common/napi_args.h"

namespace mnf::decode {

ClipBatchRequest ReadClipBatchRequest(const Napi::Value& arg) {
  Napi::Env env = arg.Env();
  if (!arg.IsObject()) ThrowType(env, "request: expected an object");
  Napi::Object req = arg.As<Napi::Object>();
  Napi::Value pathsValue = req.Get("paths");
  if (!pathsValue.IsArray()) ThrowType(env, "request.paths: expected an array of strings");
  Napi::Array pathList = pathsValue.As<Napi::Array>();
  const int64_t batch = pathList.Length();
  if (batch == 0) ThrowRange(env, "request.paths: expected at least one clip");
  Napi::Int32Array frames = ExpectI32(req.Get("frames"), "request.frames");
  if (frames.ElementLength() == 0 || frames.ElementLength() % batch != 0) {
    ThrowRange(env, "request.frames: expected B*T indices for B = " + std::to_string(batch) + " clips, got " +
                        std::to_string(frames.ElementLength()));
  }
  ClipBatchRequest out;
  out.length = static_cast<int64_t>(frames.ElementLength()) / batch;
  Napi::Float32Array boxes = ExpectF32(req.Get("boxes"), "request.boxes");
  ExpectElements(boxes, {batch, 4}, "request.boxes");
  Napi::Uint8Array flips = ExpectU8(req.Get("flips"), "request.flips");
  ExpectElements(flips, {batch}, "request.flips");
  const int64_t size = ExpectInt(req.Get("size"), "request.size");
  if (size < 1 || size > 4096) ThrowRange(env, "request.size: expected 1..4096, got " + std::to_string(size));
  out.size = static_cast<int>(size);
  for (const char* key : {"mean", "std"}) {
    if (req.Get(key).IsUndefined()) continue;
    const std::string what = std::string("request.") + key;
    Napi::Float32Array v = ExpectF32(req.Get(key), what.c_str());
    ExpectElements(v, {3}, what.c_str());
    for (int c = 0; c < 3; ++c) (key[0] == 'm' ? out.norm.mean : out.norm.std)[c] = v.Data()[c];
  }
  for (int c = 0; c < 3; ++c) {
    if (!(out.norm.std[c] > 0)) ThrowRange(env, "request.std: expected positive values");
  }
  out.clips.resize(batch);
  for (int64_t b = 0; b < batch; ++b) {
    ClipRequest& clip = out.clips[b];
    clip.path = ExpectString(pathList.Get(static_cast<uint32_t>(b)), "request.paths");
    clip.frames.assign(frames.Data() + b * out.length, frames.Data() + (b + 1) * out.length);
    for (int64_t i : clip.frames) {
      if (i < 0) ThrowRange(env, "request.frames: negative frame index " + std::to_string(i));
    }
    const float* box = boxes.Data() + b * 4;
    clip.box = {box[0], box[1], box[2], box[3]};
    clip.flip = flips.Data()[b] != 0;
  }
  return out;
}

}  // namespace mnf::decode
