// Small mask builders shared by the metrics tests.
#ifndef BOTM_TESTS_METRICS_TEST_SHAPES_H_
#define BOTM_TESTS_METRICS_TEST_SHAPES_H_

#include <cmath>

#include <opencv2/core.hpp>

namespace botm::metrics::testing {

// Sets to `label` the pixels of `m` whose centres lie inside the ellipse with centre (cx, cy)
// mm, semi-axis `a_mm` along the direction `tilt_rad` from the image's +y axis and `b_mm`
// across it; with `upper_half_only`, only the part with smaller y than the centre (along the
// axis) is drawn.
inline void FillEllipseMm(cv::Mat* m, double cx, double cy, double a_mm, double b_mm, double sx,
                          double sy, uint8_t label, double tilt_rad = 0,
                          bool upper_half_only = false) {
  const double c = std::cos(tilt_rad), s = std::sin(tilt_rad);
  for (int y = 0; y < m->rows; ++y) {
    for (int x = 0; x < m->cols; ++x) {
      const double dx = x * sx - cx, dy = y * sy - cy;
      const double along = dx * s + dy * c;  // along the tilted +y axis
      const double across = dx * c - dy * s;
      if (upper_half_only && along > 0) continue;
      if ((along / a_mm) * (along / a_mm) + (across / b_mm) * (across / b_mm) <= 1.0) {
        m->at<uint8_t>(y, x) = label;
      }
    }
  }
}

}  // namespace botm::metrics::testing

#endif  // BOTM_TESTS_METRICS_TEST_SHAPES_H_
