// JPEG decode/encode with libjpeg-turbo (TurboJPEG API). One handle per thread.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace mnf::decode {

// Interleaved RGB, row-major: (height, width, 3) uint8.
struct RgbImage {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> pixels;
};

// Throws DataError(`where`, ...) when the bytes are not a decodable JPEG.
void DecodeJpeg(const uint8_t* data, size_t size, const std::string& where, RgbImage& out);
// Width and height from the header only.
void JpegSize(const uint8_t* data, size_t size, const std::string& where, int& width, int& height);
// quality 1..100, 4:2:0 subsampling (as the seed's files).
std::vector<uint8_t> EncodeJpeg(const uint8_t* rgb, int width, int height, int quality);

}  // namespace mnf::decode
