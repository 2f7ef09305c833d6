#include "core/image/mask_codec.h"

#include <algorithm>
#include <vector>

#include <opencv2/imgcodecs.hpp>

#include "absl/strings/str_cat.h"
#include "core/image/image_codec.h"

namespace botm::image {

void AppendVarint(uint64_t value, std::string* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

absl::StatusOr<uint64_t> ReadVarint(absl::string_view data, size_t* pos) {
  uint64_t value = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (*pos >= data.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("varint truncated at byte ", *pos, " of ", data.size()));
    }
    const uint8_t byte = static_cast<uint8_t>(data[(*pos)++]);
    value |= uint64_t{byte & 0x7fu} << shift;
    if ((byte & 0x80) == 0) return value;
  }
  return absl::InvalidArgumentError(absl::StrCat("varint longer than 10 bytes before byte ", *pos));
}

std::string EncodeRle(const cv::Mat& labels) {
  CV_DbgAssert(labels.type() == CV_8UC1);
  std::string out;
  if (labels.empty()) return out;
  uint8_t current = labels.at<uint8_t>(0, 0);
  uint64_t run = 0;
  for (int y = 0; y < labels.rows; ++y) {
    const uint8_t* row = labels.ptr<uint8_t>(y);
    for (int x = 0; x < labels.cols; ++x) {
      if (row[x] == current) {
        ++run;
        continue;
      }
      AppendVarint(current, &out);
      AppendVarint(run, &out);
      current = row[x];
      run = 1;
    }
  }
  AppendVarint(current, &out);
  AppendVarint(run, &out);
  return out;
}

absl::StatusOr<cv::Mat> DecodeRle(absl::string_view data, int width, int height) {
  if (width <= 0 || height <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("RLE mask size ", width, "x", height, " must be positive"));
  }
  const uint64_t total = uint64_t(width) * uint64_t(height);
  cv::Mat mask(height, width, CV_8UC1);
  uint8_t* out = mask.ptr<uint8_t>(0);  // freshly allocated, hence continuous
  uint64_t filled = 0;
  size_t pos = 0;
  while (pos < data.size()) {
    absl::StatusOr<uint64_t> value = ReadVarint(data, &pos);
    if (!value.ok()) return value.status();
    absl::StatusOr<uint64_t> run = ReadVarint(data, &pos);
    if (!run.ok()) return run.status();
    if (*value > 255) {
      return absl::InvalidArgumentError(absl::StrCat("RLE value ", *value, " exceeds 255"));
    }
    if (*run == 0) return absl::InvalidArgumentError("RLE run of length 0");
    if (*run > total - filled) {
      return absl::InvalidArgumentError(absl::StrCat("RLE runs exceed ", width, "x", height, " = ",
                                                     total, " pixels at byte ", pos));
    }
    std::fill(out + filled, out + filled + *run, static_cast<uint8_t>(*value));
    filled += *run;
  }
  if (filled != total) {
    return absl::InvalidArgumentError(absl::StrCat("RLE runs sum to ", filled, " pixels, ", width,
                                                   "x", height, " needs ", total));
  }
  return mask;
}

absl::StatusOr<cv::Mat> DecodeMaskPng(absl::string_view png) {
  if (SniffFormat(png) != ImageFormat::kPng && !png.empty()) {
    return absl::InvalidArgumentError("mask data is not a PNG");
  }
  absl::StatusOr<cv::Mat> m = DecodeImage(png);
  if (!m.ok()) return m.status();
  if (m->type() != CV_8UC1) {
    return absl::InvalidArgumentError(absl::StrCat("mask PNG must be 8-bit gray, got ",
                                                   m->channels(), " channels of ",
                                                   m->elemSize1() * 8, " bits"));
  }
  return m;
}

absl::StatusOr<std::string> EncodeMaskPng(const cv::Mat& labels) {
  if (labels.type() != CV_8UC1) {
    return absl::InvalidArgumentError(
        absl::StrCat("mask must be CV_8UC1, got type ", labels.type()));
  }
  std::vector<uchar> buf;
  try {
    // Run-length deflate suits label maps: smaller and faster than the default filters.
    if (!cv::imencode(".png", labels, buf,
                      {cv::IMWRITE_PNG_COMPRESSION, 1, cv::IMWRITE_PNG_STRATEGY,
                       cv::IMWRITE_PNG_STRATEGY_RLE})) {
      return absl::InternalError("PNG encoder failed");
    }
  } catch (const cv::Exception& e) {
    return absl::InternalError(absl::StrCat("PNG encoder failed: ", e.what()));
  }
  return std::string(buf.begin(), buf.end());
}

}  // namespace botm::image
