// Compact encodings of label masks (CV_8UC1, pixel value = class index) for the wire: the
// run-length format of botm.v1.Mask and 8-bit gray PNG.
//
// All functions are pure and thread-safe.
#ifndef BOTM_CORE_IMAGE_MASK_CODEC_H_
#define BOTM_CORE_IMAGE_MASK_CODEC_H_

#include <cstdint>
#include <string>

#include <opencv2/core.hpp>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace botm::image {

// Appends `value` to `out` as a protobuf base-128 varint (7 bits per byte, low group first,
// high bit set on every byte but the last).
void AppendVarint(uint64_t value, std::string* out);

// Reads one varint at `*pos` and advances `*pos`. InvalidArgument when the data ends inside
// the varint or it is longer than 10 bytes.
absl::StatusOr<uint64_t> ReadVarint(absl::string_view data, size_t* pos);

// Encodes a CV_8UC1 label mask as (value, run length) varint pairs in row-major order; runs
// continue across row ends and sum to rows * cols. Returns an empty string for an empty
// mask. The mask must be CV_8UC1 (checked in debug builds only).
std::string EncodeRle(const cv::Mat& labels);

// Decodes EncodeRle output into a width x height CV_8UC1 mask. InvalidArgument for a zero
// size, a truncated varint, a value above 255, a zero-length run, or runs that do not sum to
// exactly width * height.
absl::StatusOr<cv::Mat> DecodeRle(absl::string_view data, int width, int height);

// Decodes an 8-bit single-channel PNG label mask. InvalidArgument for anything else.
absl::StatusOr<cv::Mat> DecodeMaskPng(absl::string_view png);

// Encodes a CV_8UC1 label mask as an 8-bit gray PNG (MaskEncoding PNG).
absl::StatusOr<std::string> EncodeMaskPng(const cv::Mat& labels);

}  // namespace botm::image

#endif  // BOTM_CORE_IMAGE_MASK_CODEC_H_
