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

}  // namespace

std::vector<std::string> DecodeClips(const std::vector<ClipRequest>& clips, int size, const Normalise& norm, Device device,
                                     bool decode_only, float* out) {
  std::vector<std::string> errors(clips.size());
  if (clips.empty()) return errors;
  const size_t frames_per_clip = clips[0].frames.size();
  const size_t frame_floats = static_cast<size_t>(size) * size * 3;
  const size_t clip_floats = frames_per_clip * frame_floats;
  const bool on_gpu = device == Device::kCuda && !decode_only;
  std::vector<ResizePlan> plans(clips.size());
  // GPU path: decoded regions are kept until the transform runs on the device.
  std::vector<std::vector<RgbImage>> decoded(on_gpu ? clips.size() : 0);

  Pool().ParallelFor(clips.size(), [&](size_t c) {
    const ClipRequest& clip = clips[c];
    try {
      std::vector<Bytes> jpegs = ReadFrames(clip.path, clip.frames);
      thread_local RgbImage image;
      if (decode_only) {
        for (size_t t = 0; t < jpegs.size(); ++t) {
          DecodeJpeg(jpegs[t].data(), jpegs[t].size(), FrameWhere(clip.path, clip.frames[t]), image);
        }
        return;
      }
      plans[c] = MakeResizePlan(RoundBox(clip.box), size);
      if (on_gpu) decoded[c].resize(jpegs.size());
      for (size_t t = 0; t < jpegs.size(); ++t) {
        RgbImage& region = on_gpu ? decoded[c][t] : image;
        DecodeJpegRegion(jpegs[t].data(), jpegs[t].size(), FrameWhere(clip.path, clip.frames[t]), plans[c].box, region);
        if (!on_gpu) {
          CropResizeNormalise(region.pixels.data(), region.width, region.origin_x, region.origin_y, plans[c], clip.flip, norm,
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
        const RgbImage& region = decoded[c][t];
        jobs.push_back({region.pixels.data(), region.width, region.height, region.origin_x, region.origin_y, &plans[c],
                        clips[c].flip, out + c * clip_floats + t * frame_floats});
      }
    }
    std::string error;
    if (!CropResizeNormaliseCuda(jobs, norm, error)) throw std::runtime_error(error);
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
