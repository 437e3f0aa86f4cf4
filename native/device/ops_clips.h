// The clip data path of backend cuda: a batch's clips decoded (JPEG on the decode threads) and
// transformed (crop, resize, flip, normalise) straight into a device buffer, so no training step
// copies them from the host. On the CUDA device the transform runs on the GPU (ops_clips.cc,
// cuda/clip_upload.cu); on the emulated device it is the CPU path, into the buffer's host memory.
#pragma once
#include <string>
#include <vector>

#include "decode/clip_decoder.h"
#include "device/device.h"

namespace mnf::device {

/** Writes clips.size() * T * size * size * 3 floats into `out` (a buffer of `d`) and returns one
 *  message per clip, empty when it decoded (a failed clip's slice is zeros), the words of
 *  decode::DecodeClips. Emulated: done when it returns. CUDA: queued on the device's compute stream
 *  when it returns (ops launched after it see the clips). */
std::vector<std::string> DecodeClipsOp(Device& d, const std::vector<decode::ClipRequest>& clips, int size, const decode::Normalise& norm,
                                       void* out);

}  // namespace mnf::device
