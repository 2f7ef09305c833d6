// Post-processing of label masks (CV_8UC1; 0 background, 1 LV cavity, 2 LV myocardium,
// 3 left atrium): cleanup, contours, per-class pixel counts.
//
// All functions are pure and thread-safe.
#ifndef BOTM_CORE_IMAGE_POSTPROCESS_H_
#define BOTM_CORE_IMAGE_POSTPROCESS_H_

#include <array>
#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

#include "core/common/classes.h"

namespace botm::image {

// Number of classes including background (the project's list, core/common/classes.h).
inline constexpr int kNumClasses = botm::kNumClasses;

// Returns the class name of a label (botm::kClassNames), or "unknown".
const char* ClassName(uint8_t label);

struct CleanupOptions {
  // Keeps only the largest 8-connected component of each class 1..3; the other components
  // become background (and may then be filled as holes).
  bool largest_component = true;
  // Fills every 4-connected background region that does not touch the image border with the
  // class most frequent along its boundary (a hole inside the cavity becomes cavity; a gap
  // enclosed by cavity and myocardium goes to the one that surrounds it most).
  bool fill_holes = true;
};

// Returns a cleaned copy of a CV_8UC1 label mask (see CleanupOptions). Values above 3 are
// left untouched. Empty in, empty out.
cv::Mat CleanupLabels(const cv::Mat& labels, const CleanupOptions& options = {});

// Returns the outer boundaries of the regions of `label`, largest area first, each
// simplified with the Douglas-Peucker algorithm at 1 px tolerance (closed polygons, the
// first point not repeated at the end).
std::vector<std::vector<cv::Point>> ClassContours(const cv::Mat& labels, uint8_t label);

// Returns the pixel count of each class 0..3; values above 3 are not counted.
std::array<int64_t, kNumClasses> CountLabels(const cv::Mat& labels);

}  // namespace botm::image

#endif  // BOTM_CORE_IMAGE_POSTPROCESS_H_
