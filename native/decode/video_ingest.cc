#include "decode/video_ingest.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>
}

#include <cmath>
#include <memory>
#include <vector>

#include "decode/data_error.h"
#include "decode/hdf5_video.h"
#include "decode/jpeg_codec.h"

namespace mnf::decode {

namespace {

struct FormatCloser {
  void operator()(AVFormatContext* c) const { avformat_close_input(&c); }
};
struct CodecCloser {
  void operator()(AVCodecContext* c) const { avcodec_free_context(&c); }
};
struct FrameCloser {
  void operator()(AVFrame* f) const { av_frame_free(&f); }
};
struct PacketCloser {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct ScaleCloser {
  void operator()(SwsContext* s) const { sws_freeContext(s); }
};

std::string AvError(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {0};
  av_strerror(code, text, sizeof text);
  return text;
}

// Output size with the short side at `short_side`, both even (4:2:0 JPEG blocks stay whole).
void ScaledSize(int width, int height, int short_side, int& out_w, int& out_h) {
  if (short_side <= 0) {
    out_w = width;
    out_h = height;
    return;
  }
  if (width <= height) {
    out_w = short_side;
    out_h = static_cast<int>(std::lround(static_cast<double>(height) * short_side / width));
  } else {
    out_h = short_side;
    out_w = static_cast<int>(std::lround(static_cast<double>(width) * short_side / height));
  }
  out_w += out_w & 1;
  out_h += out_h & 1;
}

}  // namespace

IngestResult IngestVideo(const std::string& source, const std::string& destination, const IngestOptions& options) {
  av_log_set_level(AV_LOG_FATAL);
  AVFormatContext* raw_format = nullptr;
  int rc = avformat_open_input(&raw_format, source.c_str(), nullptr, nullptr);
  if (rc < 0) throw DataError(source, "unreadable video (" + AvError(rc) + ")");
  std::unique_ptr<AVFormatContext, FormatCloser> format(raw_format);
  rc = avformat_find_stream_info(format.get(), nullptr);
  if (rc < 0) throw DataError(source, "unreadable video (" + AvError(rc) + ")");
  const AVCodec* codec = nullptr;
  int stream_index = av_find_best_stream(format.get(), AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
  if (stream_index < 0 || !codec) throw DataError(source, "unreadable video (no decodable video stream)");
  AVStream* stream = format->streams[stream_index];
  std::unique_ptr<AVCodecContext, CodecCloser> decoder(avcodec_alloc_context3(codec));
  if (!decoder || avcodec_parameters_to_context(decoder.get(), stream->codecpar) < 0) {
    throw DataError(source, "cannot set up the video decoder");
  }
  decoder->thread_count = 1;  // parallelism comes from ingesting several files at once
  rc = avcodec_open2(decoder.get(), codec, nullptr);
  if (rc < 0) throw DataError(source, "cannot open the " + std::string(codec->name) + " decoder (" + AvError(rc) + ")");

  IngestResult result;
  const AVRational rate = av_guess_frame_rate(format.get(), stream, nullptr);
  result.source_fps = rate.den ? av_q2d(rate) : 0;
  const double frame_period = result.source_fps > 0 ? 1.0 / result.source_fps : 0.0;
  const double time_base = av_q2d(stream->time_base);
  const int64_t start_pts = stream->start_time != AV_NOPTS_VALUE ? stream->start_time : 0;

  std::unique_ptr<AVPacket, PacketCloser> packet(av_packet_alloc());
  std::unique_ptr<AVFrame, FrameCloser> frame(av_frame_alloc());
  std::unique_ptr<SwsContext, ScaleCloser> scaler;
  std::vector<uint8_t> rgb;
  std::vector<Bytes> jpegs;
  // Keep the first frame at or after each sample time k/fps (half a source frame of slack).
  double next_sample = 0;
  int64_t decoded = 0;
  double last_time = 0;

  auto take = [&](AVFrame* f) {
    const int64_t pts = f->best_effort_timestamp != AV_NOPTS_VALUE ? f->best_effort_timestamp : AV_NOPTS_VALUE;
    const double t = pts != AV_NOPTS_VALUE ? (pts - start_pts) * time_base : decoded * frame_period;
    ++decoded;
    last_time = t;
    if (t + frame_period / 2 < next_sample) return;
    while (next_sample <= t + frame_period / 2) next_sample += 1.0 / options.fps;
    if (!scaler) {
      ScaledSize(f->width, f->height, options.short_side, result.width, result.height);
      scaler.reset(sws_getContext(f->width, f->height, static_cast<AVPixelFormat>(f->format), result.width, result.height,
                                  AV_PIX_FMT_RGB24, SWS_BICUBIC, nullptr, nullptr, nullptr));
      if (!scaler) throw DataError(source, "cannot convert its pixel format to RGB");
      rgb.resize(static_cast<size_t>(result.width) * result.height * 3);
    }
    uint8_t* planes[4] = {rgb.data(), nullptr, nullptr, nullptr};
    int strides[4] = {result.width * 3, 0, 0, 0};
    sws_scale(scaler.get(), f->data, f->linesize, 0, f->height, planes, strides);
    jpegs.push_back(EncodeJpeg(rgb.data(), result.width, result.height, options.quality));
  };
  auto drain = [&]() {
    for (;;) {
      int r = avcodec_receive_frame(decoder.get(), frame.get());
      if (r == AVERROR(EAGAIN) || r == AVERROR_EOF) return;
      if (r < 0) throw DataError(source, "video decode failed (" + AvError(r) + ")");
      take(frame.get());
      av_frame_unref(frame.get());
    }
  };
  while ((rc = av_read_frame(format.get(), packet.get())) >= 0) {
    if (packet->stream_index == stream_index) {
      int s = avcodec_send_packet(decoder.get(), packet.get());
      av_packet_unref(packet.get());
      if (s < 0 && s != AVERROR(EAGAIN)) throw DataError(source, "video decode failed (" + AvError(s) + ")");
      drain();
    } else {
      av_packet_unref(packet.get());
    }
  }
  if (rc != AVERROR_EOF) throw DataError(source, "read failed (" + AvError(rc) + ")");
  avcodec_send_packet(decoder.get(), nullptr);
  drain();
  if (jpegs.empty()) throw DataError(source, "unreadable video (no frame could be decoded)");
  result.frames = static_cast<int>(jpegs.size());
  result.duration = last_time + frame_period;
  WriteFrames(destination, jpegs);
  return result;
}

}  // namespace mnf::decode
