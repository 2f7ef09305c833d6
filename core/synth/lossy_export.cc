#include "core/synth/lossy_export.h"

#include <vector>

#include <opencv2/imgcodecs.hpp>

namespace botm::synth {

cv::Mat JpegRoundTrip(const cv::Mat& image, int quality) {
  if (image.empty() || (image.type() != CV_8UC1 && image.type() != CV_8UC3) ||
      quality < kMinJpegQuality || quality > kMaxJpegQuality) {
    return image;
  }
  std::vector<uint8_t> bytes;
  const std::vector<int> params = {cv::IMWRITE_JPEG_QUALITY,     quality,
                                   cv::IMWRITE_JPEG_OPTIMIZE,    0,
                                   cv::IMWRITE_JPEG_PROGRESSIVE, 0};
  if (!cv::imencode(".jpg", image, bytes, params)) return image;
  cv::Mat decoded =
      cv::imdecode(bytes, image.channels() == 1 ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR);
  if (decoded.size() != image.size() || decoded.type() != image.type()) return image;
  return decoded;
}

}  // namespace botm::synth
