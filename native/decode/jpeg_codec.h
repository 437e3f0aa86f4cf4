// JPEG decode/encode with libjpeg-turbo: TurboJPEG for whole frames and encoding, the libjpeg API
// for decoding only the region a crop needs (jpeg_skip_scanlines + jpeg_crop_scanline).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "decode/clip_transform.h"

namespace mnf::decode {

// Interleaved RGB, row-major (height, width, 3): the frame, or the region of it at
// (origin_x, origin_y) when decoded partially. frame_width/height are the whole frame's.
struct RgbImage {
  int width = 0;
  int height = 0;
  int origin_x = 0;
  int origin_y = 0;
  int frame_width = 0;
  int frame_height = 0;
  std::vector<uint8_t> pixels;
};

// The largest frame side decoded (8K video is 7680x4320); a larger header is taken as corrupt.
constexpr int kMaxFrameSide = 8192;

// Throws DataError(`where`, ...) when the bytes are not a decodable JPEG (warnings included).
void DecodeJpeg(const uint8_t* data, size_t size, const std::string& where, RgbImage& out);
// Decodes rows [box.y, box.y + box.height) and at least columns [box.x, box.x + box.width)
// (widened to whole iMCUs). Throws DataError when the box does not fit the frame.
void DecodeJpegRegion(const uint8_t* data, size_t size, const std::string& where, const PixelBox& box, RgbImage& out);
// Width and height from the header only (each 1..kMaxFrameSide, else DataError).
void JpegSize(const uint8_t* data, size_t size, const std::string& where, int& width, int& height);
// quality 1..100, 4:2:0 subsampling (as the seed's files).
std::vector<uint8_t> EncodeJpeg(const uint8_t* rgb, int width, int height, int quality);

}  // namespace mnf::decode
