// Frame pre-processing for the model (OpenCV only): any supported image -> gray float in [0, 1]
// at the model's square input size.
#ifndef BOTM_CORE_MODEL_INTERNAL_PREPROCESS_H_
#define BOTM_CORE_MODEL_INTERNAL_PREPROCESS_H_

#include <opencv2/core.hpp>

#include "absl/status/statusor.h"

namespace botm {
namespace internal {

// Accepts CV_8U (scaled by 1/255) or CV_16U (scaled by 1/65535) with 1, 3 (BGR) or 4 (BGRA)
// channels and at least 8 x 8 pixels; returns CV_32FC1 in [0, 1] resized to size x size with
// INTER_AREA when shrinking and INTER_LINEAR when enlarging. InvalidArgument otherwise.
absl::StatusOr<cv::Mat> PreprocessFrame(const cv::Mat& image, int size);

}  // namespace internal
}  // namespace botm

#endif  // BOTM_CORE_MODEL_INTERNAL_PREPROCESS_H_
