// Decodes the frames of an image's Pixel Data (native or encapsulated) into OpenCV images.
//
// Thread-safety: thread-compatible (the data set is read, and DCMTK may load values lazily).
#ifndef BOTM_CLIENT_DICOM_PIXEL_FRAMES_H_
#define BOTM_CLIENT_DICOM_PIXEL_FRAMES_H_

#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "absl/status/statusor.h"

class DcmDataset;

namespace botm::dicom {

// Image Pixel Module attributes (PS3.3 C.7.6.3) checked before decoding.
struct PixelFormat {
  int rows = 0;
  int columns = 0;
  int samples_per_pixel = 0;
  int bits_allocated = 0;
  int bits_stored = 0;  // 1..bits_allocated, High Bit = bits_stored - 1
  int planar_configuration = 0;
  std::string photometric;
  int num_frames = 1;
};

struct PixelLimits {
  int64_t max_frame_pixels = 0;  // Rows x Columns
  int max_frames = 0;
};

// Reads and validates the pixel attributes. InvalidArgument naming the attribute when one is
// missing, unreadable (wrong VR) or inconsistent, or when the declared size exceeds `limits`;
// Unimplemented for photometric interpretations other than MONOCHROME1/2, RGB, YBR_FULL and
// YBR_FULL_422, for bit depths other than 8 (16 for monochrome), a High Bit other than Bits
// Stored - 1, and signed pixels.
absl::StatusOr<PixelFormat> ReadPixelFormat(DcmDataset& dataset, const PixelLimits& limits);

// Returns true when the transfer syntax is one the reader decodes (uncompressed little/big
// endian, deflate, JPEG baseline/extended/lossless, JPEG-LS, RLE).
bool IsSupportedTransferSyntax(const std::string& uid);

// Decodes every frame: CV_8UC1/CV_16UC1 for monochrome (MONOCHROME1 inverted), CV_8UC3 BGR for
// colour. `encapsulated` says whether Pixel Data is compressed. InvalidArgument when Pixel
// Data is missing or shorter than the frames it must hold (truncated), or a frame fails to
// decode (the codec's message is included).
absl::StatusOr<std::vector<cv::Mat>> DecodeFrames(DcmDataset& dataset, const PixelFormat& format,
                                                  bool encapsulated);

}  // namespace botm::dicom

#endif  // BOTM_CLIENT_DICOM_PIXEL_FRAMES_H_
