// Exact Euclidean distance transform with anisotropic pixel spacing.
#ifndef BOTM_CORE_METRICS_DISTANCE_TRANSFORM_H_
#define BOTM_CORE_METRICS_DISTANCE_TRANSFORM_H_

#include <opencv2/core.hpp>

namespace botm::metrics {

// Returns a CV_64FC1 matrix of the squared distance, in mm^2, from each pixel centre to the
// nearest non-zero pixel centre of `sites` (CV_8UC1), with spacing_x_mm between columns and
// spacing_y_mm between rows; +infinity everywhere when `sites` has no non-zero pixel.
// Exact, O(pixels): two passes of the lower envelope of parabolas of Felzenszwalb &
// Huttenlocher, "Distance Transforms of Sampled Functions", Theory of Computing 8 (2012).
cv::Mat SquaredDistanceToSites(const cv::Mat& sites, double spacing_x_mm, double spacing_y_mm);

}  // namespace botm::metrics

#endif  // BOTM_CORE_METRICS_DISTANCE_TRANSFORM_H_
