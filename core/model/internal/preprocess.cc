#include "core/model/internal/preprocess.h"

#include <opencv2/imgproc.hpp>

#include "absl/strings/str_cat.h"

namespace botm {
namespace internal {

absl::StatusOr<cv::Mat> PreprocessFrame(const cv::Mat& image, int size) {
  if (image.empty() || image.dims != 2 || image.rows < 8 || image.cols < 8) {
    return absl::InvalidArgumentError("image must be 2-D and at least 8x8 pixels");
  }
  double scale = 0.0;
  if (image.depth() == CV_8U) {
    scale = 1.0 / 255.0;
  } else if (image.depth() == CV_16U) {
    scale = 1.0 / 65535.0;
  } else {
    return absl::InvalidArgumentError("image depth must be CV_8U or CV_16U");
  }
  cv::Mat gray;
  switch (image.channels()) {
    case 1:
      gray = image;
      break;
    case 3:
      cv::cvtColor(image, gray, cv::COLOR_BGR2GRAY);
      break;
    case 4:
      cv::cvtColor(image, gray, cv::COLOR_BGRA2GRAY);
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("image must have 1, 3 or 4 channels, has ", image.channels()));
  }
  cv::Mat gray01;
  gray.convertTo(gray01, CV_32F, scale);
  if (gray01.rows == size && gray01.cols == size) return gray01;
  const bool shrinking = gray01.rows * gray01.cols > size * size;
  cv::Mat resized;
  cv::resize(gray01, resized, cv::Size(size, size), 0, 0,
             shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
  return resized;
}

}  // namespace internal
}  // namespace botm
