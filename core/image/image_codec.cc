#include "core/image/image_codec.h"

#include <climits>
#include <cstring>
#include <vector>

#include <opencv2/imgcodecs.hpp>

#include "absl/strings/str_cat.h"
#include "core/image/internal/decoders.h"

namespace botm::image {
namespace {

constexpr unsigned char kPngMagic[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
// A JPEG's end-of-image marker may be followed by a few padding bytes; this many are allowed.
constexpr size_t kJpegTrailerSearchBytes = 64;
constexpr size_t kPngTrailerSearchBytes = 64;

uint8_t ByteAt(absl::string_view s, size_t i) { return static_cast<uint8_t>(s[i]); }

// Checks the end of the data, since the codecs accept some truncated files silently.
absl::Status CheckTrailer(absl::string_view b, ImageFormat format) {
  if (format == ImageFormat::kPng) {
    const size_t from = b.size() > kPngTrailerSearchBytes ? b.size() - kPngTrailerSearchBytes : 0;
    if (b.find("IEND", from) == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("PNG truncated: no IEND chunk at the end of ", b.size(), " bytes"));
    }
    return absl::OkStatus();
  }
  const size_t from = b.size() > kJpegTrailerSearchBytes ? b.size() - kJpegTrailerSearchBytes : 2;
  if (b.find("\xff\xd9", from) == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("JPEG truncated: no end-of-image marker at the end of ", b.size(), " bytes"));
  }
  return absl::OkStatus();
}

}  // namespace

ImageFormat SniffFormat(absl::string_view bytes) {
  if (bytes.size() >= 8 && std::memcmp(bytes.data(), kPngMagic, 8) == 0) return ImageFormat::kPng;
  if (bytes.size() >= 3 && ByteAt(bytes, 0) == 0xff && ByteAt(bytes, 1) == 0xd8 &&
      ByteAt(bytes, 2) == 0xff) {
    return ImageFormat::kJpeg;
  }
  return ImageFormat::kUnknown;
}

absl::StatusOr<ImageHeader> PeekImageHeader(absl::string_view bytes) {
  if (bytes.empty()) return absl::InvalidArgumentError("image data is empty");
  switch (SniffFormat(bytes)) {
    case ImageFormat::kPng:
      return internal::PeekPngHeader(bytes);
    case ImageFormat::kJpeg:
      return internal::PeekJpegHeader(bytes);
    case ImageFormat::kUnknown:
      break;
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown image format (", bytes.size(),
                                                 " bytes; expected PNG or JPEG signature)"));
}

absl::StatusOr<cv::Size> PeekImageSize(absl::string_view bytes) {
  absl::StatusOr<ImageHeader> h = PeekImageHeader(bytes);
  if (!h.ok()) return h.status();
  return cv::Size(h->width, h->height);
}

absl::StatusOr<cv::Mat> DecodeImage(absl::string_view bytes) {
  return DecodeImage(bytes, DecodeOptions());
}

absl::StatusOr<cv::Mat> DecodeImage(absl::string_view bytes, int64_t max_pixels) {
  DecodeOptions o;
  o.max_pixels = max_pixels;
  return DecodeImage(bytes, o);
}

absl::StatusOr<cv::Mat> DecodeImage(absl::string_view bytes, const DecodeOptions& options) {
  absl::StatusOr<ImageHeader> header = PeekImageHeader(bytes);
  if (!header.ok()) return header.status();
  if (absl::Status s = CheckImageLimits(*header, options); !s.ok()) return s;
  if (absl::Status s = CheckTrailer(bytes, header->format); !s.ok()) return s;
  return header->format == ImageFormat::kPng ? internal::DecodePng(bytes, *header, options)
                                             : internal::DecodeJpeg(bytes, *header, options);
}

absl::StatusOr<cv::Mat> WrapRaw(uint32_t width, uint32_t height, uint32_t channels,
                                uint32_t bits_per_sample, absl::string_view data) {
  if (width == 0 || height == 0) {
    return absl::InvalidArgumentError(absl::StrCat("raw image has zero size ", width, "x", height));
  }
  if (width > INT_MAX || height > INT_MAX) {
    return absl::InvalidArgumentError(absl::StrCat("raw image too large: ", width, "x", height));
  }
  if (channels != 1 && channels != 3 && channels != 4) {
    return absl::InvalidArgumentError(
        absl::StrCat("raw image channels = ", channels, ", expected 1, 3 or 4"));
  }
  if (bits_per_sample != 8 && bits_per_sample != 16) {
    return absl::InvalidArgumentError(
        absl::StrCat("raw image bits_per_sample = ", bits_per_sample, ", expected 8 or 16"));
  }
  const uint64_t bytes_per_sample = bits_per_sample / 8;
  const uint64_t expected = uint64_t{width} * height * channels * bytes_per_sample;
  if (data.size() != expected) {
    return absl::InvalidArgumentError(absl::StrCat("raw image data has ", data.size(), " bytes, ",
                                                   width, "x", height, "x", channels, " at ",
                                                   bits_per_sample, " bits needs ", expected));
  }
  const int depth = bits_per_sample == 8 ? CV_8U : CV_16U;
  cv::Mat m(static_cast<int>(height), static_cast<int>(width),
            CV_MAKETYPE(depth, static_cast<int>(channels)));
  if (bits_per_sample == 8) {
    std::memcpy(m.data, data.data(), data.size());
    return m;
  }
  auto* out = reinterpret_cast<uint16_t*>(m.data);
  const size_t samples = data.size() / 2;
  for (size_t i = 0; i < samples; ++i) {  // little-endian on the wire, whatever the host
    out[i] = static_cast<uint16_t>(ByteAt(data, 2 * i) | (ByteAt(data, 2 * i + 1) << 8));
  }
  return m;
}

absl::Status CheckFrameSize(const cv::Mat& m, int64_t max_pixels) {
  if (m.cols < kMinFrameSidePx || m.rows < kMinFrameSidePx) {
    return absl::InvalidArgumentError(absl::StrCat("frame ", m.cols, "x", m.rows,
                                                   " is too small, the minimum is ",
                                                   kMinFrameSidePx, "x", kMinFrameSidePx));
  }
  const int64_t pixels = int64_t{m.cols} * m.rows;
  if (max_pixels > 0 && pixels > max_pixels) {
    return absl::OutOfRangeError(absl::StrCat("frame ", m.cols, "x", m.rows, " has ", pixels,
                                              " pixels, the limit is ", max_pixels));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> EncodePng(const cv::Mat& m) {
  if (m.empty()) return absl::InvalidArgumentError("cannot encode an empty image as PNG");
  const int ch = m.channels();
  if ((m.depth() != CV_8U && m.depth() != CV_16U) || (ch != 1 && ch != 3 && ch != 4)) {
    return absl::InvalidArgumentError(
        absl::StrCat("PNG needs 8/16-bit with 1, 3 or 4 channels, got type ", m.type()));
  }
  std::vector<uchar> buf;
  try {
    if (!cv::imencode(".png", m, buf, {cv::IMWRITE_PNG_COMPRESSION, 1})) {
      return absl::InternalError("PNG encoder failed");
    }
  } catch (const cv::Exception& e) {
    return absl::InternalError(absl::StrCat("PNG encoder failed: ", e.what()));
  }
  return std::string(buf.begin(), buf.end());
}

}  // namespace botm::image
