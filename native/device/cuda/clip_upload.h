// The clip data path on the CUDA device: a batch's staging area (decode::ClipStaging's layout) is
// written into pinned host memory, copied to the device on the copy stream, and transformed into the
// batch's clip buffer on the compute stream once the copy is done, so the upload of the next batch
// overlaps the training step queued before it. Plain C++ header; defined in clip_upload.cu.
#pragma once
#include <cstdint>
#include <functional>

#include "decode/clip_transform_cuda.h"

namespace mnf::device {
class CudaDevice;
}

namespace mnf::device::cuda {

/** Calls `fill` on this thread with pinned host memory of clips.bytes bytes to write the staging area
 *  into, then queues its copy (copy stream) and the transform into `out` (device memory of
 *  clips.frames * S * S * 3 floats, compute stream). Returns once both are queued; the staging memory
 *  is handed out again only after the copy has read it (host) and the transform has read it (device). */
void UploadAndTransformClips(CudaDevice& gpu, const decode::StagedClips& clips, const decode::Normalise& norm,
                             const std::function<void(uint8_t* staging)>& fill, float* out);

}  // namespace mnf::device::cuda
