// Dice and surface distances (declared in metrics.h).
#include <algorithm>
#include <cmath>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "core/metrics/distance_transform.h"
#include "core/metrics/metrics.h"

namespace botm::metrics {
namespace {

// Returns the CV_8UC1 mask (0/255) of the pixels of `label` that have a 4-neighbour outside
// the region or lie on the image edge.
cv::Mat Boundary(const cv::Mat& labels, uint8_t label) {
  cv::Mat out(labels.size(), CV_8UC1, cv::Scalar(0));
  const int rows = labels.rows, cols = labels.cols;
  for (int y = 0; y < rows; ++y) {
    const uint8_t* row = labels.ptr<uint8_t>(y);
    const uint8_t* up = y > 0 ? labels.ptr<uint8_t>(y - 1) : nullptr;
    const uint8_t* down = y + 1 < rows ? labels.ptr<uint8_t>(y + 1) : nullptr;
    uint8_t* o = out.ptr<uint8_t>(y);
    for (int x = 0; x < cols; ++x) {
      if (row[x] != label) continue;
      const bool edge = up == nullptr || down == nullptr || x == 0 || x + 1 == cols;
      if (edge || up[x] != label || down[x] != label || row[x - 1] != label ||
          row[x + 1] != label) {
        o[x] = 255;
      }
    }
  }
  return out;
}

// Appends the distances (mm) from each boundary pixel in `from` to the nearest site of `to`.
void AppendDistances(const cv::Mat& from, const cv::Mat& to, double sx, double sy,
                     std::vector<double>* out) {
  const cv::Mat sq = SquaredDistanceToSites(to, sx, sy);
  for (int y = 0; y < from.rows; ++y) {
    const uint8_t* f = from.ptr<uint8_t>(y);
    const double* d = sq.ptr<double>(y);
    for (int x = 0; x < from.cols; ++x) {
      if (f[x] != 0) out->push_back(std::sqrt(d[x]));
    }
  }
}

// Returns the q-quantile (q in [0, 1]) of sorted values with linear interpolation.
double Quantile(const std::vector<double>& sorted, double q) {
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

}  // namespace

double Dice(const cv::Mat& pred, const cv::Mat& truth, uint8_t label) {
  CV_Assert(pred.type() == CV_8UC1 && truth.type() == CV_8UC1 && pred.size() == truth.size());
  int64_t p = 0, t = 0, both = 0;
  for (int y = 0; y < pred.rows; ++y) {
    const uint8_t* a = pred.ptr<uint8_t>(y);
    const uint8_t* b = truth.ptr<uint8_t>(y);
    for (int x = 0; x < pred.cols; ++x) {
      const bool in_a = a[x] == label, in_b = b[x] == label;
      p += in_a;
      t += in_b;
      both += in_a && in_b;
    }
  }
  if (p + t == 0) return 1.0;
  return 2.0 * static_cast<double>(both) / static_cast<double>(p + t);
}

SurfaceDistance SurfaceDistances(const cv::Mat& pred, const cv::Mat& truth, uint8_t label,
                                 double spacing_x_mm, double spacing_y_mm) {
  CV_Assert(pred.type() == CV_8UC1 && truth.type() == CV_8UC1 && pred.size() == truth.size());
  SurfaceDistance result;
  const cv::Mat bp = Boundary(pred, label);
  const cv::Mat bt = Boundary(truth, label);
  if (cv::countNonZero(bp) == 0 || cv::countNonZero(bt) == 0) return result;
  // All sites and queries lie in the union box of both boundaries, so the distance
  // transforms over that box alone are still exact.
  const cv::Rect box = cv::boundingRect(bp | bt);
  std::vector<double> d;
  AppendDistances(bp(box), bt(box), spacing_x_mm, spacing_y_mm, &d);
  AppendDistances(bt(box), bp(box), spacing_x_mm, spacing_y_mm, &d);
  std::sort(d.begin(), d.end());
  double sum = 0;
  for (double v : d) sum += v;
  result.hd_mm = d.back();
  result.msd_mm = sum / static_cast<double>(d.size());
  result.hd95_mm = Quantile(d, 0.95);
  result.valid = true;
  return result;
}

}  // namespace botm::metrics
