// Raw video → seed layout: decode any FFmpeg-readable file with libavformat/libavcodec, keep frames
// at a target rate, scale the short side with libswscale, JPEG-encode, write the HDF5 `video` set.
#pragma once
#include <string>

namespace mnf::decode {

struct IngestOptions {
  double fps = 4.0;
  int short_side = 240;  // 0 keeps the source size
  int quality = 90;
};

struct IngestResult {
  int frames = 0;
  int width = 0;
  int height = 0;
  double source_fps = 0;
  double duration = 0;  // seconds
};

// Throws DataError naming `source` when it cannot be read or has no video stream / no frames.
IngestResult IngestVideo(const std::string& source, const std::string& destination, const IngestOptions& options);

}  // namespace mnf::decode
