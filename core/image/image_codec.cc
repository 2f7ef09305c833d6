#include "core/image/image_codec.h"

#include <climits>
#include <cstring>
#include <vector>

#include <opencv2/imgcodecs.hpp>

#include "absl/strings/str_cat.h"

namespace botm::image {
namespace {

constexpr unsigned char kPngMagic[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
// A JPEG's end-of-image marker may be followed by a few padding bytes; this many are allowed.
constexpr size_t kJpegTrailerSearchBytes = 64;
constexpr size_t kPngTrailerSearchBytes = 64;

uint8_t ByteAt(absl::string_view s, size_t i) { return static_cast<uint8_t>(s[i]); }

uint32_t ReadBe16(absl::string_view s, size_t i) {
  return (uint32_t{ByteAt(s, i)} << 8) | ByteAt(s, i + 1);
}

uint32_t ReadBe32(absl::string_view s, size_t i) {
  return (ReadBe16(s, i) << 16) | ReadBe16(s, i + 2);
}

absl::StatusOr<cv::Size> PeekPngSize(absl::string_view b) {
  // Signature (8) + chunk length (4) + "IHDR" (4) + width (4) + height (4).
  if (b.size() < 24) {
    return absl::InvalidArgumentError(
        absl::StrCat("PNG truncated: ", b.size(), " bytes, the header needs 24"));
  }
  if (b.substr(12, 4) != "IHDR") {
    return absl::InvalidArgumentError("PNG corrupt: first chunk is not IHDR");
  }
  return cv::Size(static_cast<int>(ReadBe32(b, 16) & INT_MAX),
                  static_cast<int>(ReadBe32(b, 20) & INT_MAX));
}

bool IsJpegSof(uint8_t marker) {
  return marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
}

absl::StatusOr<cv::Size> PeekJpegSize(absl::string_view b) {
  size_t i = 2;  // after SOI
  while (i + 4 <= b.size()) {
    if (ByteAt(b, i) != 0xff) {
      return absl::InvalidArgumentError(absl::StrCat("JPEG corrupt: no marker at byte ", i));
    }
    const uint8_t marker = ByteAt(b, i + 1);
    if (marker == 0xff) {  // fill byte
      ++i;
      continue;
    }
    if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {  // no length field
      i += 2;
      continue;
    }
    if (marker == 0xda || marker == 0xd9) break;  // scan or end before any frame header
    const size_t length = ReadBe16(b, i + 2);
    if (IsJpegSof(marker)) {
      if (i + 9 > b.size()) break;
      return cv::Size(static_cast<int>(ReadBe16(b, i + 7)), static_cast<int>(ReadBe16(b, i + 5)));
    }
    if (length < 2) {
      return absl::InvalidArgumentError(absl::StrCat("JPEG corrupt: segment length ", length));
    }
    i += 2 + length;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("JPEG truncated or corrupt: no frame header in ", b.size(), " bytes"));
}

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

const char* FormatName(ImageFormat f) { return f == ImageFormat::kPng ? "PNG" : "JPEG"; }

}  // namespace

ImageFormat SniffFormat(absl::string_view bytes) {
  if (bytes.size() >= 8 && std::memcmp(bytes.data(), kPngMagic, 8) == 0) return ImageFormat::kPng;
  if (bytes.size() >= 3 && ByteAt(bytes, 0) == 0xff && ByteAt(bytes, 1) == 0xd8 &&
      ByteAt(bytes, 2) == 0xff) {
    return ImageFormat::kJpeg;
  }
  return ImageFormat::kUnknown;
}

absl::StatusOr<cv::Size> PeekImageSize(absl::string_view bytes) {
  if (bytes.empty()) return absl::InvalidArgumentError("image data is empty");
  switch (SniffFormat(bytes)) {
    case ImageFormat::kPng:
      return PeekPngSize(bytes);
    case ImageFormat::kJpeg:
      return PeekJpegSize(bytes);
    case ImageFormat::kUnknown:
      break;
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown image format (", bytes.size(),
                                                 " bytes; expected PNG or JPEG signature)"));
}

absl::StatusOr<cv::Mat> DecodeImage(absl::string_view bytes) { return DecodeImage(bytes, 0); }

absl::StatusOr<cv::Mat> DecodeImage(absl::string_view bytes, int64_t max_pixels) {
  absl::StatusOr<cv::Size> size = PeekImageSize(bytes);
  if (!size.ok()) return size.status();
  const ImageFormat format = SniffFormat(bytes);
  const int64_t pixels = int64_t{size->width} * size->height;
  if (size->width == 0 || size->height == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(FormatName(format), " header has zero size ", size->width, "x", size->height));
  }
  if (max_pixels > 0 && pixels > max_pixels) {
    return absl::OutOfRangeError(absl::StrCat("image ", size->width, "x", size->height, " has ",
                                              pixels, " pixels, the limit is ", max_pixels));
  }
  if (absl::Status s = CheckTrailer(bytes, format); !s.ok()) return s;
  cv::Mat decoded;
  try {
    const cv::Mat buffer(1, static_cast<int>(bytes.size()), CV_8UC1,
                         const_cast<char*>(bytes.data()));
    decoded = cv::imdecode(buffer, cv::IMREAD_UNCHANGED);
  } catch (const cv::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(FormatName(format), " decode failed: ", e.what()));
  }
  if (decoded.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(FormatName(format), " data is corrupt (", bytes.size(), " bytes)"));
  }
  return decoded;
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
