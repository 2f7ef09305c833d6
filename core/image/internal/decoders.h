// Private to core/image: header parsing and the libpng / libjpeg decoders behind DecodeImage.
// The decoders install their own error and warning handlers, so that neither library ever
// writes to stderr or aborts, and bound what an image may allocate.
//
// Thread-safety: all functions are thread-safe (no shared state).
#ifndef BOTM_CORE_IMAGE_INTERNAL_DECODERS_H_
#define BOTM_CORE_IMAGE_INTERNAL_DECODERS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/image/image_codec.h"

namespace botm::image::internal {

// PNG: IHDR (must be the first chunk) and a tRNS chunk before the first IDAT.
absl::StatusOr<ImageHeader> PeekPngHeader(absl::string_view bytes);
// JPEG: the first frame header (SOFn) after SOI.
absl::StatusOr<ImageHeader> PeekJpegHeader(absl::string_view bytes);

// Decode bytes whose header was peeked as `header` (limits already checked) into a matrix of
// exactly that layout. InvalidArgument naming the library's message for corrupt or truncated
// data, or when the data disagree with `header`.
absl::StatusOr<cv::Mat> DecodePng(absl::string_view bytes, const ImageHeader& header,
                                  const DecodeOptions& options);
absl::StatusOr<cv::Mat> DecodeJpeg(absl::string_view bytes, const ImageHeader& header,
                                   const DecodeOptions& options);

}  // namespace botm::image::internal

#endif  // BOTM_CORE_IMAGE_INTERNAL_DECODERS_H_
