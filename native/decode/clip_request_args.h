// A batch decode request read from JavaScript at the N-API boundary: {paths: string[B],
// frames: Int32Array(B*T), boxes: Float32Array(B*4) [x, y, w, h], flips: Uint8Array(B), size,
// mean?: Float32Array(3), std?: Float32Array(3)}. Every fault is a JS TypeError/RangeError naming
// the field (the words decodeClips uses). deviceDecodeClips (native/device/register_clips.cc) reads
// its request with it; decodeClips (register.cc) reads the same fields.
#pragma once
#include <napi.h>

#include <cstdint>
#include <vector>

#include "decode/clip_decoder.h"

namespace mnf::decode {

struct ClipBatchRequest {
  std::vector<ClipRequest> clips;
  /** frames per clip (T) */
  int64_t length = 0;
  int size = 0;
  Normalise norm;
};

ClipBatchRequest ReadClipBatchRequest(const Napi::Value& request);

}  // namespace mnf::decode
