#include "client/dicom/rle_decoder.h"

#include <cstring>

#include "absl/strings/str_cat.h"

namespace botm::dicom {
namespace {

constexpr size_t kHeaderBytes = 64;  // 16 little-endian uint32: count, then 15 offsets

uint32_t ReadLe32(const char* p) {
  const auto* b = reinterpret_cast<const uint8_t*>(p);
  return b[0] | (b[1] << 8) | (b[2] << 16) | (static_cast<uint32_t>(b[3]) << 24);
}

// PackBits (PS3.5 G.3.1): n in [0, 127] copies n + 1 literal bytes, n in [-127, -1] repeats the
// next byte 1 - n times, -128 does nothing. Decodes into exactly out->size() bytes.
absl::Status DecodeSegment(absl::string_view in, std::vector<uint8_t>* out, int segment) {
  size_t pos = 0, written = 0;
  const size_t size = out->size();
  while (pos < in.size() && written < size) {
    const uint8_t header = static_cast<uint8_t>(in[pos++]);
    const int n = header < 128 ? header : header - 256;  // the byte as a signed value
    if (n >= 0) {
      const size_t count = static_cast<size_t>(n) + 1;
      if (pos + count > in.size() || written + count > size) break;
      std::memcpy(out->data() + written, in.data() + pos, count);
      pos += count;
      written += count;
    } else if (n != -128) {
      const size_t count = static_cast<size_t>(1 - n);
      if (pos >= in.size() || written + count > size) break;
      std::memset(out->data() + written, static_cast<uint8_t>(in[pos++]), count);
      written += count;
    }
  }
  if (written != size) {
    return absl::InvalidArgumentError(
        absl::StrCat("RLE segment ", segment + 1, " decodes to ", written, " of ", size, " bytes"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<uint8_t>> DecodeRleFrame(absl::string_view fragment, size_t pixels,
                                                    int samples_per_pixel, int bytes_per_sample) {
  const uint32_t segments = static_cast<uint32_t>(samples_per_pixel * bytes_per_sample);
  if (fragment.size() < kHeaderBytes) {
    return absl::InvalidArgumentError("RLE fragment shorter than its 64-byte header");
  }
  if (ReadLe32(fragment.data()) != segments) {
    return absl::InvalidArgumentError(absl::StrCat(
        "RLE header declares ", ReadLe32(fragment.data()), " segments, ", segments, " expected"));
  }
  std::vector<uint32_t> offsets;
  for (uint32_t s = 0; s < segments; ++s) {
    const uint32_t offset = ReadLe32(fragment.data() + 4 * (static_cast<size_t>(s) + 1));
    if (offset < kHeaderBytes || offset >= fragment.size() ||
        (!offsets.empty() && offset <= offsets.back())) {
      return absl::InvalidArgumentError(absl::StrCat("RLE segment ", s + 1, " offset ", offset,
                                                     " is outside the fragment or out of order"));
    }
    offsets.push_back(offset);
  }
  offsets.push_back(static_cast<uint32_t>(fragment.size()));
  std::vector<uint8_t> frame(pixels * segments);
  std::vector<uint8_t> plane(pixels);
  for (uint32_t s = 0; s < segments; ++s) {
    const absl::string_view data = fragment.substr(offsets[s], offsets[s + 1] - offsets[s]);
    if (absl::Status st = DecodeSegment(data, &plane, static_cast<int>(s)); !st.ok()) return st;
    // Segments come most significant byte first per sample (PS3.5 G.2).
    const uint32_t sample = s / bytes_per_sample;
    const uint32_t byte = bytes_per_sample - 1 - s % bytes_per_sample;
    uint8_t* dst = frame.data() + sample * pixels * bytes_per_sample;
    for (size_t i = 0; i < pixels; ++i) dst[i * bytes_per_sample + byte] = plane[i];
  }
  return frame;
}

}  // namespace botm::dicom
