#include "decode/jpeg_codec.h"

#include <turbojpeg.h>

#include <memory>
#include <stdexcept>

#include "decode/data_error.h"

namespace mnf::decode {

namespace {

struct HandleCloser {
  void operator()(void* handle) const { tjDestroy(handle); }
};
using Handle = std::unique_ptr<void, HandleCloser>;

tjhandle Decompressor() {
  thread_local Handle handle(tjInitDecompress());
  if (!handle) throw std::runtime_error("libjpeg-turbo: cannot create a decompressor");
  return handle.get();
}

tjhandle Compressor() {
  thread_local Handle handle(tjInitCompress());
  if (!handle) throw std::runtime_error("libjpeg-turbo: cannot create a compressor");
  return handle.get();
}

}  // namespace

void JpegSize(const uint8_t* data, size_t size, const std::string& where, int& width, int& height) {
  int subsampling = 0, colorspace = 0;
  if (size == 0) throw DataError(where, "empty JPEG (0 bytes)");
  if (tjDecompressHeader3(Decompressor(), data, static_cast<unsigned long>(size), &width, &height, &subsampling,
                          &colorspace) != 0) {
    throw DataError(where, std::string("corrupt JPEG (") + tjGetErrorStr2(Decompressor()) + ")");
  }
}

void DecodeJpeg(const uint8_t* data, size_t size, const std::string& where, RgbImage& out) {
  JpegSize(data, size, where, out.width, out.height);
  out.pixels.resize(static_cast<size_t>(out.width) * out.height * 3);
  tjhandle handle = Decompressor();
  if (tjDecompress2(handle, data, static_cast<unsigned long>(size), out.pixels.data(), out.width, 0, out.height,
                    TJPF_RGB, TJFLAG_ACCURATEDCT) != 0) {
    // Warnings too (a truncated file decodes to grey padding): the frame is not what was stored.
    throw DataError(where, std::string("corrupt JPEG (") + tjGetErrorStr2(handle) + ")");
  }
}

std::vector<uint8_t> EncodeJpeg(const uint8_t* rgb, int width, int height, int quality) {
  tjhandle handle = Compressor();
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  if (tjCompress2(handle, rgb, width, 0, height, TJPF_RGB, &buffer, &size, TJSAMP_420, quality, TJFLAG_ACCURATEDCT) != 0) {
    if (buffer) tjFree(buffer);
    throw std::runtime_error(std::string("libjpeg-turbo: encode failed (") + tjGetErrorStr2(handle) + ")");
  }
  std::vector<uint8_t> out(buffer, buffer + size);
  tjFree(buffer);
  return out;
}

}  // namespace mnf::decode
