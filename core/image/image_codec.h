// Decoding and encoding of single frames: PNG/JPEG bytes, raw pixel buffers, size checks.
//
// All functions are pure and thread-safe. Returned matrices own their pixels (no aliasing of
// the input bytes).
#ifndef BOTM_CORE_IMAGE_IMAGE_CODEC_H_
#define BOTM_CORE_IMAGE_IMAGE_CODEC_H_

#include <cstdint>
#include <functional>
#include <string>

#include <opencv2/core.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace botm::image {

// Container formats recognised by their magic bytes.
enum class ImageFormat { kUnknown, kPng, kJpeg };

// Returns the format named by the first bytes of `bytes` (kUnknown when none matches).
ImageFormat SniffFormat(absl::string_view bytes);

// What a PNG or JPEG header says about the matrix DecodeImage makes of it, read without
// decoding the pixels (PNG: IHDR and whether tRNS adds an alpha channel; JPEG: the frame header).
struct ImageHeader {
  ImageFormat format = ImageFormat::kUnknown;
  int width = 0;
  int height = 0;
  int channels = 0;          // of the decoded matrix: 1, 3 (BGR) or 4 (BGRA)
  int bytes_per_sample = 0;  // of the decoded matrix: 1 or 2
  // Bytes of the decoded matrix: width x height x channels x bytes_per_sample.
  int64_t decoded_bytes() const { return int64_t{width} * height * channels * bytes_per_sample; }
};

// Reads the header of PNG or JPEG bytes. InvalidArgument when it is missing, truncated, not
// PNG/JPEG, or describes a layout DecodeImage does not make (e.g. CMYK JPEG).
absl::StatusOr<ImageHeader> PeekImageHeader(absl::string_view bytes);

// Returns the width x height of PeekImageHeader.
absl::StatusOr<cv::Size> PeekImageSize(absl::string_view bytes);

struct DecodeOptions {
  // Most pixels (width x height); a larger header gives OutOfRange before any pixel is
  // decoded. <= 0 = no limit.
  int64_t max_pixels = 0;
  // Most bytes of the decoded matrix (ImageHeader::decoded_bytes); a larger one gives
  // OutOfRange before decoding (a small PNG may decode to gigabytes). <= 0 = no limit.
  int64_t max_decoded_bytes = 0;
  // Receives each decoder warning that leaves the image intact (e.g. a damaged ancillary PNG
  // chunk, which is dropped); null = warnings are dropped. Called on the decoding thread.
  // Decoders never write to stderr. JPEG warnings always mean corrupt data: they are errors.
  std::function<void(absl::string_view warning)> on_warning;
};

// InvalidArgument for a zero size; OutOfRange, naming both numbers, when `header` is past a
// limit of `options` (what DecodeImage checks before decoding).
absl::Status CheckImageLimits(const ImageHeader& header, const DecodeOptions& options);

// Decodes PNG or JPEG bytes as stored: 8- or 16-bit, 1 (gray), 3 (BGR) or 4 (BGRA) channels
// (PNG gray+alpha and RGB/palette with tRNS give BGRA; JPEG gray gives 1 channel, color 3);
// EXIF orientation and PNG gamma are not applied (pixels as stored, as scanners send them).
// InvalidArgument, with the reason, for empty, unknown-format, truncated or corrupt data
// (including JPEG data libjpeg only warns about, such as a premature end); OutOfRange past a
// limit of `options`. Thread-safe.
absl::StatusOr<cv::Mat> DecodeImage(absl::string_view bytes, const DecodeOptions& options);
absl::StatusOr<cv::Mat> DecodeImage(absl::string_view bytes);

// As DecodeImage with DecodeOptions::max_pixels = max_pixels.
absl::StatusOr<cv::Mat> DecodeImage(absl::string_view bytes, int64_t max_pixels);

// Copies tightly packed raw pixels (row stride = width * channels * bytes per sample; 16-bit
// samples little-endian) into a new matrix of type CV_8UC{1,3,4} or CV_16UC{1,3,4}.
// InvalidArgument naming the bad field for zero sizes, channels not in {1,3,4}, bits not in
// {8,16} or a byte count different from the one the header implies.
absl::StatusOr<cv::Mat> WrapRaw(uint32_t width, uint32_t height, uint32_t channels,
                                uint32_t bits_per_sample, absl::string_view data);

// Minimum frame side in pixels accepted by CheckFrameSize.
inline constexpr int kMinFrameSidePx = 8;

// Checks that a frame is at least 8x8 (InvalidArgument otherwise) and has at most
// `max_pixels` pixels (OutOfRange otherwise; max_pixels <= 0 means no limit). Messages name
// the actual and allowed sizes.
absl::Status CheckFrameSize(const cv::Mat& m, int64_t max_pixels);

// Encodes an 8- or 16-bit, 1-, 3- or 4-channel matrix as PNG (fast compression).
// InvalidArgument for empty matrices or unsupported types.
absl::StatusOr<std::string> EncodePng(const cv::Mat& m);

// Converts any 8/16-bit (or float in [0, 1]) gray, BGR or BGRA matrix to CV_8UC1. 16-bit
// values are scaled by 255/65535. Returns an empty matrix for an empty input.
cv::Mat ToGray8(const cv::Mat& m);

// Converts any such matrix to CV_8UC3 BGR (same scaling as ToGray8).
cv::Mat ToBgr8(const cv::Mat& m);

}  // namespace botm::image

#endif  // BOTM_CORE_IMAGE_IMAGE_CODEC_H_
