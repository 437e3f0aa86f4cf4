#include "decode/clip_decoder.h"

#include <algorithm>
#include <cstring>

#include "decode/data_error.h"
#include "decode/hdf5_video.h"
#include "decode/jpeg_codec.h"
#include "decode/thread_pool.h"
#ifdef MNF_WITH_CUDA
#include "decode/clip_transform_cuda.h"
#endif

namespace mnf::decode {

namespace {

std::string FrameWhere(const std::string& path, int64_t index) { return path + ": frame " + std::to_string(index); }

void CheckBox(const ClipRequest& clip, int64_t index, const RgbImage& image) {
  const CropBox& b = clip.box;
  if (b.width <= 0 || b.height <= 0 || b.x < 0 || b.y < 0 || b.x + b.width > image.width + 1e-3f ||
      b.y + b.height > image.height + 1e-3f) {
    throw DataError(FrameWhere(clip.path, index), "is " + std::to_string(image.width) + "x" + std::to_string(image.height) +
                                                      ", smaller than the crop box (frame sizes differ within the video?)");
  }
}

}  // namespace

std::vector<std::string> DecodeClips(const std::vector<ClipRequest>& clips, int size, const Normalise& norm, Device device,
                                     bool decode_only, float* out) {
  std::vector<std::string> errors(clips.size());
  if (clips.empty()) return errors;
  const size_t frames_per_clip = clips[0].frames.size();
  const size_t frame_floats = static_cast<size_t>(size) * size * 3;
  const size_t clip_floats = frames_per_clip * frame_floats;
  const bool on_gpu = device == Device::kCuda && !decode_only;
  // GPU path: decoded frames are kept until the transform runs on the device.
  std::vector<std::vector<RgbImage>> decoded(on_gpu ? clips.size() : 0);

  Pool().ParallelFor(clips.size(), [&](size_t c) {
    const ClipRequest& clip = clips[c];
    try {
      std::vector<Bytes> jpegs = ReadFrames(clip.path, clip.frames);
      thread_local RgbImage image;
      if (on_gpu) decoded[c].resize(jpegs.size());
      for (size_t t = 0; t < jpegs.size(); ++t) {
        RgbImage& target = on_gpu ? decoded[c][t] : image;
        DecodeJpeg(jpegs[t].data(), jpegs[t].size(), FrameWhere(clip.path, clip.frames[t]), target);
        if (decode_only) continue;
        CheckBox(clip, clip.frames[t], target);
        if (!on_gpu) {
          CropResizeNormalise(target.pixels.data(), target.width, target.height, clip.box, size, clip.flip, norm,
                              out + c * clip_floats + t * frame_floats);
        }
      }
    } catch (const std::exception& e) {
      errors[c] = e.what();
      if (on_gpu) decoded[c].clear();
      if (!decode_only) std::fill(out + c * clip_floats, out + (c + 1) * clip_floats, 0.0f);
    }
  });

#ifdef MNF_WITH_CUDA
  if (on_gpu) {
    std::vector<FrameJob> jobs;
    for (size_t c = 0; c < clips.size(); ++c) {
      for (size_t t = 0; t < decoded[c].size(); ++t) {
        const RgbImage& image = decoded[c][t];
        jobs.push_back({image.pixels.data(), image.width, image.height, clips[c].box, clips[c].flip,
                        out + c * clip_floats + t * frame_floats});
      }
    }
    std::string error;
    if (!CropResizeNormaliseCuda(jobs, size, norm, error)) throw std::runtime_error(error);
  }
#endif
  return errors;
}

VideoProbe ProbeVideo(const std::string& path, bool deep) {
  VideoProbe probe;
  try {
    probe.frames = CountFrames(path);
    if (probe.frames == 0) throw DataError(path, "empty video (0 frames)");
    std::vector<int64_t> indices;
    if (deep) {
      for (int64_t i = 0; i < probe.frames; ++i) indices.push_back(i);
    } else {
      indices.push_back(0);
    }
    std::vector<Bytes> jpegs = ReadFrames(path, indices);
    JpegSize(jpegs[0].data(), jpegs[0].size(), FrameWhere(path, 0), probe.width, probe.height);
    if (deep) {
      thread_local RgbImage image;
      for (size_t i = 0; i < jpegs.size(); ++i) {
        DecodeJpeg(jpegs[i].data(), jpegs[i].size(), FrameWhere(path, static_cast<int64_t>(i)), image);
        if (image.width != probe.width || image.height != probe.height) {
          throw DataError(FrameWhere(path, static_cast<int64_t>(i)),
                          "is " + std::to_string(image.width) + "x" + std::to_string(image.height) + ", frame 0 is " +
                              std::to_string(probe.width) + "x" + std::to_string(probe.height));
        }
      }
    }
  } catch (const std::exception& e) {
    probe.error = e.what();
  }
  return probe;
}

}  // namespace mnf::decode
