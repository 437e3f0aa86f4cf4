#include "device/ops_clips.h"

#include "decode/hdf5_video.h"
#include "decode/jpeg_codec.h"
#include "decode/thread_pool.h"
#include "device/cuda_device.h"
#include "device/ops_host.h"
#ifdef MNF_WITH_CUDA
#include "decode/clip_transform_cuda.h"
#include "device/cuda/clip_upload.h"
#endif

namespace mnf::device {

#ifdef MNF_WITH_CUDA
namespace {

// as decode::DecodeClips names a frame in its faults
std::string FrameWhere(const std::string& path, int64_t index) { return path + ": frame " + std::to_string(index); }

// Decodes every clip's regions on the decode pool (faults per clip, as decode::DecodeClips: reading,
// then planning, then each frame), then stages the batch into pinned memory and queues its upload
// and transform.
std::vector<std::string> DecodeClipsCuda(CudaDevice& gpu, const std::vector<decode::ClipRequest>& clips, int size,
                                         const decode::Normalise& norm, float* out) {
  const size_t count = clips.size();
  std::vector<std::string> errors(count);
  std::vector<decode::ResizePlan> plans(count);
  std::vector<std::vector<decode::RgbImage>> regions(count);
  decode::Pool().ParallelFor(count, [&](size_t c) {
    const decode::ClipRequest& clip = clips[c];
    try {
      std::vector<decode::Bytes> jpegs = decode::ReadFrames(clip.path, clip.frames);
      plans[c] = decode::MakeResizePlan(decode::RoundBox(clip.box), size);
      regions[c].resize(jpegs.size());
      for (size_t t = 0; t < jpegs.size(); ++t) {
        decode::DecodeJpegRegion(jpegs[t].data(), jpegs[t].size(), FrameWhere(clip.path, clip.frames[t]), plans[c].box, regions[c][t]);
      }
    } catch (const std::exception& e) {
      errors[c] = e.what();
      regions[c].clear();
    }
  });

  decode::ClipStaging staging;
  for (size_t c = 0; c < count; ++c) {
    const bool valid = errors[c].empty();
    const uint32_t plan = valid ? staging.AddPlan(plans[c]) : 0;
    for (size_t t = 0; t < clips[c].frames.size(); ++t) staging.AddFrame(plan, clips[c].flip, valid);
  }
  const decode::StagedClips staged = staging.Finish(size);
  cuda::UploadAndTransformClips(
      gpu, staged, norm,
      [&](uint8_t* host) {
        staging.WriteLayout(host);
        decode::Pool().ParallelFor(count, [&](size_t c) {
          const size_t frames = clips[c].frames.size();
          for (size_t t = 0; t < regions[c].size(); ++t) staging.WriteCrop(host, c * frames + t, regions[c][t]);
        });
      },
      out);
  return errors;
}

}  // namespace
#endif

std::vector<std::string> DecodeClipsOp(Device& d, const std::vector<decode::ClipRequest>& clips, int size, const decode::Normalise& norm,
                                       void* out) {
#ifdef MNF_WITH_CUDA
  if (CudaDevice* gpu = AsCudaDevice(d)) return DecodeClipsCuda(*gpu, clips, size, norm, static_cast<float*>(out));
#endif
  RequireHostMemory(d, "deviceDecodeClips");
  return decode::DecodeClips(clips, size, norm, decode::Device::kCpu, false, static_cast<float*>(out));
}

}  // namespace mnf::device
