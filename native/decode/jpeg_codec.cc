#include "decode/jpeg_codec.h"

#include <turbojpeg.h>
// jpeglib.h needs FILE and size_t declared first
#include <algorithm>
#include <cstdio>
#include <jpeglib.h>
#include <csetjmp>

#include <memory>
#include <stdexcept>

#include "decode/data_error.h"

namespace mnf::decode {

namespace {

struct HandleCloser {
  void operator()(void* handle) const { tjDestroy(handle); }
};
using Handle = std::unique_ptr<void, HandleCloser>;

// This thread's decompressor, created on first use.
Handle& DecompressorSlot() {
  thread_local Handle handle;
  return handle;
}

tjhandle Decompressor() {
  Handle& handle = DecompressorSlot();
  if (!handle) handle.reset(tjInitDecompress());
  if (!handle) throw std::runtime_error("libjpeg-turbo: cannot create a decompressor");
  return handle.get();
}

// TurboJPEG 2.1 leaves a handle that failed inside a header in a state where its next header read
// "succeeds" with a 0x0 frame, failing a good frame: the handle is replaced after every failure.
[[noreturn]] void FailDecode(const std::string& where) {
  const std::string reason = tjGetErrorStr2(DecompressorSlot().get());
  DecompressorSlot().reset();
  throw DataError(where, "corrupt JPEG (" + reason + ")");
}

tjhandle Compressor() {
  thread_local Handle handle(tjInitCompress());
  if (!handle) throw std::runtime_error("libjpeg-turbo: cannot create a compressor");
  return handle.get();
}

// libjpeg reports errors through callbacks; they jump back to DecodeRegionC, which returns false.
struct ErrorJump {
  jpeg_error_mgr manager;
  jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void OnError(j_common_ptr cinfo) {
  auto* e = reinterpret_cast<ErrorJump*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, e->message);
  longjmp(e->jump, 1);
}

// Warnings (level -1: corrupt data, premature end) fail the frame; trace messages are ignored.
void OnMessage(j_common_ptr cinfo, int level) {
  if (level < 0) OnError(cinfo);
}

enum class RegionStatus { kOk, kCorrupt, kOutside };

constexpr JDIMENSION kMaxRowsPerRead = 64;

// No C++ objects with destructors live in this frame: longjmp may leave it.
RegionStatus DecodeRegionC(const uint8_t* data, size_t size, const PixelBox& box, RgbImage& out, char* message) {
  JSAMPROW rows[kMaxRowsPerRead];
  jpeg_decompress_struct cinfo;
  ErrorJump error;
  cinfo.err = jpeg_std_error(&error.manager);
  error.manager.error_exit = OnError;
  error.manager.emit_message = OnMessage;
  error.message[0] = 0;
  if (setjmp(error.jump)) {
    jpeg_destroy_decompress(&cinfo);
    std::snprintf(message, JMSG_LENGTH_MAX, "%s", error.message);
    return RegionStatus::kCorrupt;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, data, static_cast<unsigned long>(size));
  jpeg_read_header(&cinfo, TRUE);
  cinfo.out_color_space = JCS_RGB;
  cinfo.dct_method = JDCT_ISLOW;
  jpeg_start_decompress(&cinfo);
  out.frame_width = static_cast<int>(cinfo.output_width);
  out.frame_height = static_cast<int>(cinfo.output_height);
  if (box.x < 0 || box.y < 0 || box.width < 1 || box.height < 1 || box.x + box.width > out.frame_width ||
      box.y + box.height > out.frame_height) {
    jpeg_destroy_decompress(&cinfo);
    return RegionStatus::kOutside;
  }
  JDIMENSION x = static_cast<JDIMENSION>(box.x), width = static_cast<JDIMENSION>(box.width);
  if (width < cinfo.output_width) jpeg_crop_scanline(&cinfo, &x, &width);
  out.origin_x = static_cast<int>(x);
  out.origin_y = box.y;
  out.width = static_cast<int>(width);
  out.height = box.height;
  out.pixels.resize(static_cast<size_t>(out.width) * out.height * 3);
  if (box.y > 0) jpeg_skip_scanlines(&cinfo, static_cast<JDIMENSION>(box.y));
  const JDIMENSION end = static_cast<JDIMENSION>(box.y + box.height);
  // all rows in one call: libjpeg then writes whole row groups in place (one row at a time goes
  // through its spare-row copy). No C++ object here (longjmp): the row pointers live in `rows`.
  while (cinfo.output_scanline < end) {
    const JDIMENSION first = cinfo.output_scanline;
    const JDIMENSION count = std::min<JDIMENSION>(end - first, kMaxRowsPerRead);
    for (JDIMENSION r = 0; r < count; ++r) rows[r] = out.pixels.data() + static_cast<size_t>(first + r - box.y) * out.width * 3;
    jpeg_read_scanlines(&cinfo, rows, count);
  }
  jpeg_abort_decompress(&cinfo);  // the rows below the crop are not needed
  jpeg_destroy_decompress(&cinfo);
  return RegionStatus::kOk;
}

}  // namespace

void JpegSize(const uint8_t* data, size_t size, const std::string& where, int& width, int& height) {
  int subsampling = 0, colorspace = 0;
  if (size == 0) throw DataError(where, "empty JPEG (0 bytes)");
  if (tjDecompressHeader3(Decompressor(), data, static_cast<unsigned long>(size), &width, &height, &subsampling,
                          &colorspace) != 0) {
    FailDecode(where);
  }
  // the header's size decides the pixel buffer's: a corrupt one must not allocate gigabytes
  if (width < 1 || height < 1 || width > kMaxFrameSide || height > kMaxFrameSide) {
    throw DataError(where, "corrupt JPEG (its header says " + std::to_string(width) + "x" + std::to_string(height) +
                               ", expected 1.." + std::to_string(kMaxFrameSide) + " a side)");
  }
}

void DecodeJpeg(const uint8_t* data, size_t size, const std::string& where, RgbImage& out) {
  JpegSize(data, size, where, out.width, out.height);
  out.origin_x = out.origin_y = 0;
  out.frame_width = out.width;
  out.frame_height = out.height;
  out.pixels.resize(static_cast<size_t>(out.width) * out.height * 3);
  tjhandle handle = Decompressor();
  if (tjDecompress2(handle, data, static_cast<unsigned long>(size), out.pixels.data(), out.width, 0, out.height,
                    TJPF_RGB, TJFLAG_ACCURATEDCT) != 0) {
    // Warnings too (a truncated file decodes to grey padding): the frame is not what was stored.
    FailDecode(where);
  }
}

void DecodeJpegRegion(const uint8_t* data, size_t size, const std::string& where, const PixelBox& box, RgbImage& out) {
  if (size == 0) throw DataError(where, "empty JPEG (0 bytes)");
  char message[JMSG_LENGTH_MAX] = {0};
  switch (DecodeRegionC(data, size, box, out, message)) {
    case RegionStatus::kOk:
      return;
    case RegionStatus::kCorrupt:
      throw DataError(where, std::string("corrupt JPEG (") + message + ")");
    case RegionStatus::kOutside:
      throw DataError(where, "is " + std::to_string(out.frame_width) + "x" + std::to_string(out.frame_height) +
                                 ", the crop box " + std::to_string(box.width) + "x" + std::to_string(box.height) + "+" +
                                 std::to_string(box.x) + "+" + std::to_string(box.y) +
                                 " does not fit (frame sizes differ within the video?)");
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
