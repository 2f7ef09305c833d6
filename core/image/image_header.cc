// Header parsing of PNG and JPEG bytes without decoding the pixels (see internal/decoders.h).
// PNG layout: ISO/IEC 15948 (PNG 2nd edition) sections 5.3 (chunks) and 11.2.2 (IHDR);
// JPEG markers: ITU-T T.81 annex B.1.1.3 and B.2.2 (frame header).
#include <climits>

#include "absl/strings/str_cat.h"
#include "core/image/internal/decoders.h"

namespace botm::image::internal {
namespace {

uint8_t ByteAt(absl::string_view s, size_t i) { return static_cast<uint8_t>(s[i]); }

uint32_t ReadBe16(absl::string_view s, size_t i) {
  return (uint32_t{ByteAt(s, i)} << 8) | ByteAt(s, i + 1);
}

uint32_t ReadBe32(absl::string_view s, size_t i) {
  return (ReadBe16(s, i) << 16) | ReadBe16(s, i + 2);
}

bool ValidPngDepth(int color_type, int depth) {
  switch (color_type) {
    case 0:
      return depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
    case 3:
      return depth == 1 || depth == 2 || depth == 4 || depth == 8;
    case 2:
    case 4:
    case 6:
      return depth == 8 || depth == 16;
    default:
      return false;
  }
}

// Whether a tRNS chunk comes before the first IDAT (chunks walked by their lengths).
bool PngHasTrnsBeforeData(absl::string_view b) {
  size_t pos = 8;
  while (pos + 8 <= b.size()) {
    const uint64_t length = ReadBe32(b, pos);
    const absl::string_view type = b.substr(pos + 4, 4);
    if (type == "IDAT") return false;
    if (type == "tRNS") return true;
    pos += 12 + length;
  }
  return false;
}

bool IsJpegSof(uint8_t marker) {
  return marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
}

absl::StatusOr<ImageHeader> JpegFrameHeader(absl::string_view b, size_t i) {
  ImageHeader h;
  h.format = ImageFormat::kJpeg;
  const int precision = ByteAt(b, i + 4);
  h.height = static_cast<int>(ReadBe16(b, i + 5));
  h.width = static_cast<int>(ReadBe16(b, i + 7));
  const int components = ByteAt(b, i + 9);
  if (precision != 8) {
    return absl::InvalidArgumentError(
        absl::StrCat("JPEG with ", precision, "-bit samples is not supported (8-bit only)"));
  }
  if (components != 1 && components != 3) {
    return absl::InvalidArgumentError(absl::StrCat(
        "JPEG with ", components, " components is not supported (gray or 3-component color)"));
  }
  h.channels = components;
  h.bytes_per_sample = 1;
  return h;
}

}  // namespace

absl::StatusOr<ImageHeader> PeekPngHeader(absl::string_view b) {
  // Signature (8) + chunk length (4) + "IHDR" (4) + 13 bytes of IHDR data.
  if (b.size() < 29) {
    return absl::InvalidArgumentError(
        absl::StrCat("PNG truncated: ", b.size(), " bytes, the header needs 29"));
  }
  if (b.substr(12, 4) != "IHDR" || ReadBe32(b, 8) != 13) {
    return absl::InvalidArgumentError("PNG corrupt: first chunk is not a 13-byte IHDR");
  }
  ImageHeader h;
  h.format = ImageFormat::kPng;
  h.width = static_cast<int>(ReadBe32(b, 16) & INT_MAX);
  h.height = static_cast<int>(ReadBe32(b, 20) & INT_MAX);
  const int depth = ByteAt(b, 24);
  const int color_type = ByteAt(b, 25);
  if (!ValidPngDepth(color_type, depth)) {
    return absl::InvalidArgumentError(
        absl::StrCat("PNG corrupt: color type ", color_type, " with bit depth ", depth));
  }
  const bool alpha = color_type == 4 || color_type == 6 ||
                     ((color_type == 2 || color_type == 3) && PngHasTrnsBeforeData(b));
  h.channels = color_type == 0 ? 1 : alpha ? 4 : 3;
  h.bytes_per_sample = depth == 16 ? 2 : 1;
  return h;
}

absl::StatusOr<ImageHeader> PeekJpegHeader(absl::string_view b) {
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
      if (i + 10 > b.size()) break;
      return JpegFrameHeader(b, i);
    }
    if (length < 2) {
      return absl::InvalidArgumentError(absl::StrCat("JPEG corrupt: segment length ", length));
    }
    i += 2 + length;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("JPEG truncated or corrupt: no frame header in ", b.size(), " bytes"));
}

}  // namespace botm::image::internal

namespace botm::image {

absl::Status CheckImageLimits(const ImageHeader& h, const DecodeOptions& o) {
  const char* format = h.format == ImageFormat::kPng ? "PNG" : "JPEG";
  if (h.width == 0 || h.height == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(format, " header has zero size ", h.width, "x", h.height));
  }
  const int64_t pixels = int64_t{h.width} * h.height;
  if (o.max_pixels > 0 && pixels > o.max_pixels) {
    return absl::OutOfRangeError(absl::StrCat("image ", h.width, "x", h.height, " has ", pixels,
                                              " pixels, the limit is ", o.max_pixels));
  }
  if (o.max_decoded_bytes > 0 && h.decoded_bytes() > o.max_decoded_bytes) {
    return absl::OutOfRangeError(
        absl::StrCat("image ", h.width, "x", h.height, " with ", h.channels, " channels of ",
                     8 * h.bytes_per_sample, " bits decodes to ", h.decoded_bytes(),
                     " bytes, the limit is ", o.max_decoded_bytes, " bytes"));
  }
  return absl::OkStatus();
}

}  // namespace botm::image
