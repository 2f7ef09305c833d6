// ToGray8 and ToBgr8 (declared in image_codec.h).
#include <opencv2/imgproc.hpp>

#include "core/image/image_codec.h"

namespace botm::image {
namespace {

// Converts the depth to 8-bit, keeping the channels.
cv::Mat ToDepth8(const cv::Mat& m) {
  if (m.depth() == CV_8U) return m;
  cv::Mat out;
  double scale = 1.0;
  if (m.depth() == CV_16U) scale = 255.0 / 65535.0;
  if (m.depth() == CV_32F || m.depth() == CV_64F) scale = 255.0;
  m.convertTo(out, CV_8U, scale);
  return out;
}

}  // namespace

cv::Mat ToGray8(const cv::Mat& m) {
  if (m.empty()) return cv::Mat();
  cv::Mat m8 = ToDepth8(m);
  cv::Mat out;
  switch (m8.channels()) {
    case 1:
      return m8.data == m.data ? m8.clone() : m8;
    case 3:
      cv::cvtColor(m8, out, cv::COLOR_BGR2GRAY);
      return out;
    case 4:
      cv::cvtColor(m8, out, cv::COLOR_BGRA2GRAY);
      return out;
    default:
      cv::extractChannel(m8, out, 0);
      return out;
  }
}

cv::Mat ToBgr8(const cv::Mat& m) {
  if (m.empty()) return cv::Mat();
  cv::Mat m8 = ToDepth8(m);
  cv::Mat out;
  switch (m8.channels()) {
    case 3:
      return m8.data == m.data ? m8.clone() : m8;
    case 4:
      cv::cvtColor(m8, out, cv::COLOR_BGRA2BGR);
      return out;
    default:
      cv::cvtColor(ToGray8(m8), out, cv::COLOR_GRAY2BGR);
      return out;
  }
}

}  // namespace botm::image
