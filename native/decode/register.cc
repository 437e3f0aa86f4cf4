// decode capability: HDF5/JPEG video frames → normalised float clips, dataset writing, raw-video
// ingest. Long work runs as AsyncWorkers (promises) that fan out on the decode thread pool.
#include <memory>
#include <string>
#include <vector>

#include "common/napi_args.h"
#include "common/promise_worker.h"
#include "decode/clip_request_args.h"
#include "cuda/device.h"
#include "decode/buffer_pool.h"
#include "decode/clip_decoder.h"
#include "decode/hdf5_video.h"
#include "decode/jpeg_codec.h"
#include "decode/thread_pool.h"
#include "decode/video_ingest.h"
#include "modules.h"

namespace mnf {

using decode::Bytes;

namespace {

std::vector<std::string> ExpectStrings(const Napi::Value& value, const char* what) {
  if (!value.IsArray()) ThrowType(value.Env(), std::string(what) + ": expected an array of strings");
  auto array = value.As<Napi::Array>();
  std::vector<std::string> out(array.Length());
  for (uint32_t i = 0; i < array.Length(); ++i) out[i] = ExpectString(array.Get(i), what);
  return out;
}

Napi::Value StringOrNull(Napi::Env env, const std::string& s) {
  return s.empty() ? env.Null() : Napi::String::New(env, s);
}

// ---- decodeClips ---------------------------------------------------------------------------

class DecodeClipsWorker : public PromiseWorker {
 public:
  DecodeClipsWorker(Napi::Env env, std::vector<decode::ClipRequest> clips, int size, decode::Normalise norm,
                    decode::Device device, bool decode_only, Napi::Float32Array out)
      : PromiseWorker(env, "mnf:decode"),
        clips_(std::move(clips)),
        size_(size),
        norm_(norm),
        device_(device),
        decode_only_(decode_only),
        out_ref_(Napi::Persistent(out)),
        out_(out.Data()) {}

  void Execute() override {
    try {
      errors_ = decode::DecodeClips(clips_, size_, norm_, device_, decode_only_, out_);
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }

  Napi::Value Result(Napi::Env env) override {
    Napi::Array list = Napi::Array::New(env, errors_.size());
    for (size_t i = 0; i < errors_.size(); ++i) list.Set(static_cast<uint32_t>(i), StringOrNull(env, errors_[i]));
    return list;
  }

 private:
  std::vector<decode::ClipRequest> clips_;
  int size_;
  decode::Normalise norm_;
  decode::Device device_;
  bool decode_only_;
  Napi::Reference<Napi::Float32Array> out_ref_;  // keeps the buffer alive while threads write it
  float* out_;
  std::vector<std::string> errors_;
};

// decodeClips({paths: string[B], frames: Int32Array(B*T), boxes: Float32Array(B*4) [x, y, w, h],
//              flips: Uint8Array(B), size, out: Float32Array(B*T*size*size*3),
//              mean?: Float32Array(3), std?: Float32Array(3), device?: 'cpu'|'cuda', decodeOnly?: bool})
//   -> Promise<(string|null)[B]>: per clip, null or the fault (that clip's slice is zeroed).
Napi::Value DecodeClipsJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Value arg = Arg(info, 0, "request");
  decode::ClipBatchRequest request = decode::ReadClipBatchRequest(arg);
  Napi::Object req = arg.As<Napi::Object>();
  const int64_t batch = static_cast<int64_t>(request.clips.size());
  Napi::Float32Array out = ExpectF32(req.Get("out"), "request.out");
  ExpectElements(out, {batch, request.length, request.size, request.size, 3}, "request.out");
  decode::Device device = decode::Device::kCpu;
  if (!req.Get("device").IsUndefined()) {
    std::string name = ExpectString(req.Get("device"), "request.device");
    if (name == "cuda") {
      if (!cuda::Available()) ThrowRange(env, "request.device: 'cuda' asked for but no CUDA device is usable");
      device = decode::Device::kCuda;
    } else if (name != "cpu") {
      ThrowRange(env, "request.device: expected 'cpu' or 'cuda', got '" + name + "'");
    }
  }
  bool decode_only = req.Get("decodeOnly").IsUndefined() ? false : ExpectBool(req.Get("decodeOnly"), "request.decodeOnly");
  auto* worker = new DecodeClipsWorker(env, std::move(request.clips), request.size, request.norm, device, decode_only, out);
  Napi::Promise promise = worker->Promise();
  worker->Queue();  // the worker deletes itself when done
  return promise;
}

// ---- probeVideos ---------------------------------------------------------------------------

class ProbeWorker : public PromiseWorker {
 public:
  ProbeWorker(Napi::Env env, std::vector<std::string> paths, bool deep)
      : PromiseWorker(env, "mnf:decode"), paths_(std::move(paths)), deep_(deep), probes_(paths_.size()) {}
  void Execute() override {
    decode::Pool().ParallelFor(paths_.size(), [&](size_t i) { probes_[i] = decode::ProbeVideo(paths_[i], deep_); });
  }
  Napi::Value Result(Napi::Env env) override {
    Napi::Array list = Napi::Array::New(env, probes_.size());
    for (size_t i = 0; i < probes_.size(); ++i) {
      Napi::Object o = Napi::Object::New(env);
      o.Set("frames", static_cast<double>(probes_[i].frames));
      o.Set("width", probes_[i].width);
      o.Set("height", probes_[i].height);
      o.Set("error", StringOrNull(env, probes_[i].error));
      list.Set(static_cast<uint32_t>(i), o);
    }
    return list;
  }

 private:
  std::vector<std::string> paths_;
  bool deep_;
  std::vector<decode::VideoProbe> probes_;
};

// probeVideos(paths: string[], deep: boolean) -> Promise<{frames, width, height, error: string|null}[]>
Napi::Value ProbeVideosJs(const Napi::CallbackInfo& info) {
  std::vector<std::string> paths = ExpectStrings(Arg(info, 0, "paths"), "paths");
  bool deep = ExpectBool(Arg(info, 1, "deep"), "deep");
  auto* worker = new ProbeWorker(info.Env(), std::move(paths), deep);
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

// ---- single frames (tests, tools) ----------------------------------------------------------

// readFrameBytes(path, index) -> Uint8Array: the stored JPEG of one frame.
Napi::Value ReadFrameBytesJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = ExpectString(Arg(info, 0, "path"), "path");
  int64_t index = ExpectInt(Arg(info, 1, "index"), "index");
  try {
    Bytes bytes = std::move(decode::ReadFrames(path, {index})[0]);
    Napi::Uint8Array out = Napi::Uint8Array::New(env, bytes.size());
    std::copy(bytes.begin(), bytes.end(), out.Data());
    return out;
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
}

// decodeFrame(path, index) -> {width, height, pixels: Uint8Array (H*W*3 RGB)}
Napi::Value DecodeFrameJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = ExpectString(Arg(info, 0, "path"), "path");
  int64_t index = ExpectInt(Arg(info, 1, "index"), "index");
  try {
    Bytes bytes = std::move(decode::ReadFrames(path, {index})[0]);
    decode::RgbImage image;
    decode::DecodeJpeg(bytes.data(), bytes.size(), path + ": frame " + std::to_string(index), image);
    Napi::Object o = Napi::Object::New(env);
    o.Set("width", image.width);
    o.Set("height", image.height);
    Napi::Uint8Array pixels = Napi::Uint8Array::New(env, image.pixels.size());
    std::copy(image.pixels.begin(), image.pixels.end(), pixels.Data());
    o.Set("pixels", pixels);
    return o;
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
}

// ---- writing videos ------------------------------------------------------------------------

class WriteVideoWorker : public PromiseWorker {
 public:
  // Either RGB frames to encode (rgb non-empty) or ready JPEG bytes.
  WriteVideoWorker(Napi::Env env, std::string path, std::vector<uint8_t> rgb, int frames, int height, int width, int quality,
                   std::vector<Bytes> jpegs)
      : PromiseWorker(env, "mnf:decode"),
        path_(std::move(path)),
        rgb_(std::move(rgb)),
        frames_(frames),
        height_(height),
        width_(width),
        quality_(quality),
        jpegs_(std::move(jpegs)) {}
  void Execute() override {
    try {
      if (!rgb_.empty()) {
        jpegs_.assign(frames_, {});
        const size_t frame_bytes = static_cast<size_t>(height_) * width_ * 3;
        std::vector<std::string> errors(frames_);
        decode::Pool().ParallelFor(frames_, [&](size_t i) {
          try {
            jpegs_[i] = decode::EncodeJpeg(rgb_.data() + i * frame_bytes, width_, height_, quality_);
          } catch (const std::exception& e) {
            errors[i] = e.what();
          }
        });
        for (const std::string& e : errors) {
          if (!e.empty()) throw std::runtime_error(path_ + ": " + e);
        }
      }
      decode::WriteFrames(path_, jpegs_);
      for (const Bytes& j : jpegs_) bytes_ += j.size();
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }
  Napi::Value Result(Napi::Env env) override { return Napi::Number::New(env, static_cast<double>(bytes_)); }

 private:
  std::string path_;
  std::vector<uint8_t> rgb_;
  int frames_, height_, width_, quality_;
  std::vector<Bytes> jpegs_;
  size_t bytes_ = 0;
};

// writeVideo(path, rgb: Uint8Array (N*H*W*3), shape: [N, H, W], quality) -> Promise<number of JPEG bytes>
Napi::Value WriteVideoJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = ExpectString(Arg(info, 0, "path"), "path");
  Napi::Uint8Array rgb = ExpectU8(Arg(info, 1, "rgb"), "rgb");
  Shape shape = ExpectShape(Arg(info, 2, "shape"), "shape", 3);
  ExpectElements(rgb, {shape[0], shape[1], shape[2], 3}, "rgb");
  if (shape[1] < 1 || shape[2] < 1 || shape[1] > decode::kMaxFrameSide || shape[2] > decode::kMaxFrameSide) {
    ThrowRange(env, "shape: frame size out of range (1.." + std::to_string(decode::kMaxFrameSide) + " a side)");
  }
  int64_t quality = ExpectInt(Arg(info, 3, "quality"), "quality");
  if (quality < 1 || quality > 100) ThrowRange(env, "quality: expected 1..100, got " + std::to_string(quality));
  if (shape[0] < 1) ThrowRange(env, "shape: expected at least one frame");
  std::vector<uint8_t> pixels(rgb.Data(), rgb.Data() + rgb.ElementLength());
  auto* worker = new WriteVideoWorker(env, path, std::move(pixels), static_cast<int>(shape[0]), static_cast<int>(shape[1]),
                                      static_cast<int>(shape[2]), static_cast<int>(quality), {});
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

// writeJpegVideo(path, jpegs: Uint8Array[]) -> Promise<number>: stores the bytes as given (any bytes).
Napi::Value WriteJpegVideoJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = ExpectString(Arg(info, 0, "path"), "path");
  Napi::Value list = Arg(info, 1, "jpegs");
  if (!list.IsArray()) ThrowType(env, "jpegs: expected an array of Uint8Array");
  auto array = list.As<Napi::Array>();
  std::vector<Bytes> jpegs(array.Length());
  for (uint32_t i = 0; i < array.Length(); ++i) {
    Napi::Uint8Array bytes = ExpectU8(array.Get(i), "jpegs[i]");
    jpegs[i].assign(bytes.Data(), bytes.Data() + bytes.ElementLength());
  }
  auto* worker = new WriteVideoWorker(env, path, {}, 0, 0, 0, 0, std::move(jpegs));
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

// ---- ingest --------------------------------------------------------------------------------

class IngestWorker : public PromiseWorker {
 public:
  IngestWorker(Napi::Env env, std::vector<std::string> sources, std::vector<std::string> destinations,
               decode::IngestOptions options)
      : PromiseWorker(env, "mnf:decode"),
        sources_(std::move(sources)),
        destinations_(std::move(destinations)),
        options_(options),
        results_(sources_.size()),
        errors_(sources_.size()) {}
  void Execute() override {
    decode::Pool().ParallelFor(sources_.size(), [&](size_t i) {
      try {
        results_[i] = decode::IngestVideo(sources_[i], destinations_[i], options_);
      } catch (const std::exception& e) {
        errors_[i] = e.what();
      }
    });
  }
  Napi::Value Result(Napi::Env env) override {
    Napi::Array list = Napi::Array::New(env, results_.size());
    for (size_t i = 0; i < results_.size(); ++i) {
      Napi::Object o = Napi::Object::New(env);
      o.Set("frames", results_[i].frames);
      o.Set("width", results_[i].width);
      o.Set("height", results_[i].height);
      o.Set("sourceFps", results_[i].source_fps);
      o.Set("duration", results_[i].duration);
      o.Set("error", StringOrNull(env, errors_[i]));
      list.Set(static_cast<uint32_t>(i), o);
    }
    return list;
  }

 private:
  std::vector<std::string> sources_, destinations_;
  decode::IngestOptions options_;
  std::vector<decode::IngestResult> results_;
  std::vector<std::string> errors_;
};

// ingestVideos(sources: string[], destinations: string[], {fps, shortSide, quality})
//   -> Promise<{frames, width, height, sourceFps, duration, error: string|null}[]>
Napi::Value IngestVideosJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<std::string> sources = ExpectStrings(Arg(info, 0, "sources"), "sources");
  std::vector<std::string> destinations = ExpectStrings(Arg(info, 1, "destinations"), "destinations");
  if (sources.size() != destinations.size()) ThrowRange(env, "destinations: expected one per source");
  Napi::Value arg = Arg(info, 2, "options");
  if (!arg.IsObject()) ThrowType(env, "options: expected an object");
  Napi::Object opts = arg.As<Napi::Object>();
  decode::IngestOptions options;
  options.fps = ExpectNumber(opts.Get("fps"), "options.fps");
  if (!(options.fps > 0 && options.fps <= 1000)) ThrowRange(env, "options.fps: expected a rate in (0, 1000]");
  int64_t short_side = ExpectInt(opts.Get("shortSide"), "options.shortSide");
  if (short_side < 0 || short_side > 8192) ThrowRange(env, "options.shortSide: expected 0..8192");
  options.short_side = static_cast<int>(short_side);
  int64_t quality = ExpectInt(opts.Get("quality"), "options.quality");
  if (quality < 1 || quality > 100) ThrowRange(env, "options.quality: expected 1..100");
  options.quality = static_cast<int>(quality);
  auto* worker = new IngestWorker(env, std::move(sources), std::move(destinations), options);
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

// allocClipBuffer(elements) -> Float32Array over pooled native memory (contents unspecified): reused
// once the array is garbage-collected, so decoding into it does not page-fault fresh memory.
Napi::Value AllocClipBufferJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int64_t elements = ExpectInt(Arg(info, 0, "elements"), "elements");
  if (elements < 1 || elements > (int64_t{1} << 32)) ThrowRange(env, "elements: expected 1..2^32, got " + std::to_string(elements));
  const size_t bytes = static_cast<size_t>(elements) * sizeof(float);
  float* data = decode::AcquireBuffer(bytes);
  if (!data) throw Napi::Error::New(env, "allocClipBuffer: out of memory for " + std::to_string(bytes) + " bytes");
  Napi::MemoryManagement::AdjustExternalMemory(env, static_cast<int64_t>(bytes));
  Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(env, data, bytes, [bytes](Napi::Env finalizing, void* p) {
    decode::ReleaseBuffer(static_cast<float*>(p), bytes);
    Napi::MemoryManagement::AdjustExternalMemory(finalizing, -static_cast<int64_t>(bytes));
  });
  return Napi::Float32Array::New(env, static_cast<size_t>(elements), buffer, 0);
}

// decodeThreads() -> number of threads that decode (the pool's; callers wait).
Napi::Value DecodeThreadsJs(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(decode::Pool().Size()));
}

// closeVideoFiles() -> closes the HDF5 files kept open between reads (the loader calls it on close).
Napi::Value CloseVideoFilesJs(const Napi::CallbackInfo& info) {
  decode::CloseVideos();
  return info.Env().Undefined();
}

// openVideoFiles() -> how many HDF5 files are kept open.
Napi::Value OpenVideoFilesJs(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(decode::OpenVideoCount()));
}

}  // namespace

void RegisterDecode(Napi::Env env, Napi::Object exports) {
  exports.Set("decodeClips", Napi::Function::New(env, DecodeClipsJs, "decodeClips"));
  exports.Set("probeVideos", Napi::Function::New(env, ProbeVideosJs, "probeVideos"));
  exports.Set("readFrameBytes", Napi::Function::New(env, ReadFrameBytesJs, "readFrameBytes"));
  exports.Set("decodeFrame", Napi::Function::New(env, DecodeFrameJs, "decodeFrame"));
  exports.Set("writeVideo", Napi::Function::New(env, WriteVideoJs, "writeVideo"));
  exports.Set("writeJpegVideo", Napi::Function::New(env, WriteJpegVideoJs, "writeJpegVideo"));
  exports.Set("ingestVideos", Napi::Function::New(env, IngestVideosJs, "ingestVideos"));
  exports.Set("allocClipBuffer", Napi::Function::New(env, AllocClipBufferJs, "allocClipBuffer"));
  exports.Set("decodeThreads", Napi::Function::New(env, DecodeThreadsJs, "decodeThreads"));
  exports.Set("closeVideoFiles", Napi::Function::New(env, CloseVideoFilesJs, "closeVideoFiles"));
  exports.Set("openVideoFiles", Napi::Function::New(env, OpenVideoFilesJs, "openVideoFiles"));
}

}  // namespace mnf
