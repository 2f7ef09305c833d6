// Temporal consistency measures (declared in metrics.h).
#include <algorithm>
#include <cmath>
#include <vector>

#include "core/metrics/metrics.h"

namespace botm::metrics {

TemporalConsistency MeasureTemporalConsistency(const std::vector<double>& area_curve,
                                               double threshold, double spike_threshold) {
  TemporalConsistency tc;
  const size_t n = area_curve.size();
  if (n == 0) return tc;
  double mean = 0;
  for (double a : area_curve) mean += a;
  mean /= static_cast<double>(n);
  if (!(mean > 0)) return tc;
  for (size_t t = 1; t + 1 < n; ++t) {
    const double d2 = (area_curve[t - 1] - 2 * area_curve[t] + area_curve[t + 1]) / mean;
    if (std::abs(d2) > threshold) tc.flagged_frames.push_back(static_cast<int>(t));
    const double lo = std::min(area_curve[t - 1], area_curve[t + 1]);
    const double hi = std::max(area_curve[t - 1], area_curve[t + 1]);
    const double outside = std::max(area_curve[t] - hi, lo - area_curve[t]) / mean;
    if (outside > spike_threshold) tc.spike_frames.push_back(static_cast<int>(t));
  }
  double change = 0;
  for (size_t t = 1; t < n; ++t) change += std::abs(area_curve[t] - area_curve[t - 1]);
  tc.flicker = n > 1 ? change / static_cast<double>(n - 1) / mean : 0.0;
  tc.flagged = static_cast<int>(tc.flagged_frames.size());
  tc.spikes = static_cast<int>(tc.spike_frames.size());
  tc.flagged_fraction = static_cast<double>(tc.flagged) / static_cast<double>(n);
  return tc;
}

double LabelFlicker(const std::vector<cv::Mat>& labels) {
  if (labels.size() < 2) return 0.0;
  double total = 0;
  for (size_t t = 1; t < labels.size(); ++t) {
    const cv::Mat& a = labels[t - 1];
    const cv::Mat& b = labels[t];
    CV_Assert(a.type() == CV_8UC1 && b.type() == CV_8UC1 && a.size() == b.size());
    const int changed = cv::countNonZero(a != b);
    const int foreground = cv::countNonZero((a > 0) | (b > 0));
    if (foreground > 0) total += static_cast<double>(changed) / foreground;
  }
  return total / static_cast<double>(labels.size() - 1);
}

}  // namespace botm::metrics
