#include "client/dicom/internal/frame_convert.h"

#include <cstring>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "absl/strings/str_cat.h"

namespace botm::dicom {
namespace {

// Converts interleaved 8-bit Y Cb Cr (full range, PS3.3 C.7.6.3.1.2, the JFIF equations that
// OpenCV's YCrCb conversion uses) to BGR.
cv::Mat YbrFullToBgr(const cv::Mat& ycbcr) {
  cv::Mat ycrcb(ycbcr.size(), CV_8UC3);
  const int from_to[] = {0, 0, 1, 2, 2, 1};
  cv::mixChannels(&ycbcr, 1, &ycrcb, 1, from_to, 3);
  cv::Mat bgr;
  cv::cvtColor(ycrcb, bgr, cv::COLOR_YCrCb2BGR);
  return bgr;
}

// Native YBR_FULL_422: each pair of pixels is stored as Y1 Y2 Cb Cr (PS3.3 C.7.6.3.1.2).
cv::Mat Ybr422ToBgr(const uint8_t* data, int rows, int columns) {
  cv::Mat ycbcr(rows, columns, CV_8UC3);
  const uint8_t* p = data;
  for (int y = 0; y < rows; ++y) {
    uint8_t* out = ycbcr.ptr<uint8_t>(y);
    for (int x = 0; x < columns; x += 2, p += 4) {
      uint8_t* pair = out + 3 * static_cast<size_t>(x);
      pair[0] = p[0];
      pair[1] = p[2];
      pair[2] = p[3];
      if (x + 1 < columns) {
        pair[3] = p[1];
        pair[4] = p[2];
        pair[5] = p[3];
      }
    }
  }
  return YbrFullToBgr(ycbcr);
}

}  // namespace

absl::StatusOr<cv::Mat> ToMat(const uint8_t* data, const PixelFormat& f,
                              const std::string& colour_model, bool by_plane) {
  if (f.samples_per_pixel == 1) {
    const int type = f.bits_allocated == 16 ? CV_16UC1 : CV_8UC1;
    cv::Mat mono = cv::Mat(f.rows, f.columns, type, const_cast<uint8_t*>(data)).clone();
    // Only the Bits Stored low bits carry the value (High Bit = Bits Stored - 1 is checked).
    const double max_value = (1 << f.bits_stored) - 1;
    if (f.bits_stored < f.bits_allocated) cv::bitwise_and(mono, cv::Scalar(max_value), mono);
    if (f.photometric == "MONOCHROME1") cv::subtract(cv::Scalar(max_value), mono, mono);
    return mono;
  }
  if (colour_model == "YBR_FULL_422") return Ybr422ToBgr(data, f.rows, f.columns);
  cv::Mat interleaved(f.rows, f.columns, CV_8UC3);
  if (by_plane) {
    const size_t plane = static_cast<size_t>(f.rows) * f.columns;
    std::vector<cv::Mat> planes;
    planes.reserve(3);
    for (int c = 0; c < 3; ++c) {
      planes.emplace_back(f.rows, f.columns, CV_8UC1, const_cast<uint8_t*>(data + c * plane));
    }
    cv::merge(planes, interleaved);
  } else {
    std::memcpy(interleaved.data, data, interleaved.total() * 3);
  }
  if (colour_model == "RGB") {
    cv::Mat bgr;
    cv::cvtColor(interleaved, bgr, cv::COLOR_RGB2BGR);
    return bgr;
  }
  if (colour_model == "YBR_FULL") return YbrFullToBgr(interleaved);
  return absl::UnimplementedError(
      absl::StrCat("decoded colour model '", colour_model, "' is not supported"));
}

}  // namespace botm::dicom
