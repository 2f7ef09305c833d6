#include <algorithm>
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "core/metrics/distance_transform.h"
#include "core/metrics/metrics.h"

namespace botm::metrics {
namespace {

cv::Mat Rect(int rows, int cols, cv::Rect r, uint8_t label) {
  cv::Mat m(rows, cols, CV_8UC1, cv::Scalar(0));
  m(r).setTo(label);
  return m;
}

TEST(Dice, KnownRectangles) {
  const cv::Mat a = Rect(30, 30, {0, 0, 10, 10}, 1);
  const cv::Mat b = Rect(30, 30, {5, 0, 10, 10}, 1);  // overlap 5x10
  EXPECT_DOUBLE_EQ(Dice(a, b, 1), 0.5);
  EXPECT_DOUBLE_EQ(Dice(a, a, 1), 1.0);
  EXPECT_DOUBLE_EQ(Dice(a, b, 2), 1.0);  // absent from both
  EXPECT_DOUBLE_EQ(Dice(a, Rect(30, 30, {0, 0, 1, 1}, 0), 1), 0.0);
  const cv::Mat c = Rect(30, 30, {0, 0, 10, 5}, 1);  // inside a: 2*50/(100+50)
  EXPECT_DOUBLE_EQ(Dice(a, c, 1), 2.0 / 3.0);
}

TEST(DistanceTransform, MatchesBruteForceWithAnisotropicSpacing) {
  cv::Mat sites(23, 31, CV_8UC1, cv::Scalar(0));
  cv::RNG rng(3);
  for (int i = 0; i < 12; ++i) sites.at<uint8_t>(rng.uniform(0, 23), rng.uniform(0, 31)) = 1;
  const double sx = 0.7, sy = 0.25;
  const cv::Mat d = SquaredDistanceToSites(sites, sx, sy);
  for (int y = 0; y < sites.rows; ++y) {
    for (int x = 0; x < sites.cols; ++x) {
      double best = 1e300;
      for (int v = 0; v < sites.rows; ++v) {
        for (int u = 0; u < sites.cols; ++u) {
          if (!sites.at<uint8_t>(v, u)) continue;
          best = std::min(best, std::pow((x - u) * sx, 2) + std::pow((y - v) * sy, 2));
        }
      }
      ASSERT_NEAR(d.at<double>(y, x), best, 1e-9) << x << "," << y;
    }
  }
  EXPECT_TRUE(std::isinf(
      SquaredDistanceToSites(cv::Mat(3, 3, CV_8UC1, cv::Scalar(0)), 1, 1).at<double>(1, 1)));
}

TEST(SurfaceDistances, SinglePixelsAnisotropic) {
  cv::Mat a(20, 20, CV_8UC1, cv::Scalar(0)), b = a.clone();
  a.at<uint8_t>(5, 5) = 1;
  b.at<uint8_t>(9, 8) = 1;  // 3 columns, 4 rows away
  const SurfaceDistance iso = SurfaceDistances(a, b, 1, 1.0, 1.0);
  ASSERT_TRUE(iso.valid);
  EXPECT_DOUBLE_EQ(iso.hd_mm, 5.0);
  EXPECT_DOUBLE_EQ(iso.hd95_mm, 5.0);
  EXPECT_DOUBLE_EQ(iso.msd_mm, 5.0);
  const SurfaceDistance aniso = SurfaceDistances(a, b, 1, 2.0, 0.5);  // sqrt(6^2 + 2^2)
  EXPECT_NEAR(aniso.hd_mm, std::sqrt(40.0), 1e-12);
}

TEST(SurfaceDistances, PooledPercentileByHand) {
  cv::Mat a(20, 20, CV_8UC1, cv::Scalar(0)), b = a.clone();
  a.at<uint8_t>(10, 10) = 1;
  b(cv::Rect(10, 12, 3, 1)).setTo(1);  // (10..12, 12)
  // a->b: 2; b->a: 2, sqrt(5), sqrt(8). Sorted pooled: 2, 2, sqrt5, sqrt8.
  const SurfaceDistance d = SurfaceDistances(a, b, 1, 1.0, 1.0);
  ASSERT_TRUE(d.valid);
  EXPECT_NEAR(d.hd_mm, std::sqrt(8.0), 1e-12);
  EXPECT_NEAR(d.msd_mm, (4.0 + std::sqrt(5.0) + std::sqrt(8.0)) / 4.0, 1e-12);
  // Quantile 0.95 at position 2.85 between sqrt5 and sqrt8.
  EXPECT_NEAR(d.hd95_mm, std::sqrt(5.0) + 0.85 * (std::sqrt(8.0) - std::sqrt(5.0)), 1e-12);
}

// Perimeter pixels of a rectangle.
std::vector<cv::Point> Perimeter(cv::Rect r) {
  std::vector<cv::Point> p;
  for (int y = r.y; y < r.y + r.height; ++y) {
    for (int x = r.x; x < r.x + r.width; ++x) {
      if (y == r.y || x == r.x || y + 1 == r.y + r.height || x + 1 == r.x + r.width) {
        p.emplace_back(x, y);
      }
    }
  }
  return p;
}

TEST(SurfaceDistances, ShiftedSquaresMatchPerimeterBruteForce) {
  const cv::Rect ra(10, 10, 20, 20), rb(13, 11, 20, 20);
  const double sx = 0.5, sy = 0.8;
  std::vector<double> pooled;
  const auto pa = Perimeter(ra), pb = Perimeter(rb);
  for (const auto& [from, to] : {std::make_pair(&pa, &pb), std::make_pair(&pb, &pa)}) {
    for (const cv::Point& p : *from) {
      double best = 1e300;
      for (const cv::Point& q : *to)
        best = std::min(best, std::hypot((p.x - q.x) * sx, (p.y - q.y) * sy));
      pooled.push_back(best);
    }
  }
  std::sort(pooled.begin(), pooled.end());
  double mean = 0;
  for (double v : pooled) mean += v / pooled.size();
  const double pos = 0.95 * (pooled.size() - 1);
  const size_t lo = static_cast<size_t>(pos);
  const double hd95 = pooled[lo] + (pos - lo) * (pooled[lo + 1] - pooled[lo]);
  const SurfaceDistance d = SurfaceDistances(Rect(50, 50, ra, 2), Rect(50, 50, rb, 2), 2, sx, sy);
  ASSERT_TRUE(d.valid);
  // Opposite corners, e.g. (32, 30) of b to (29, 29) of a: 3 columns and 1 row.
  EXPECT_NEAR(d.hd_mm, std::hypot(3 * sx, 1 * sy), 1e-12);
  EXPECT_NEAR(d.hd_mm, pooled.back(), 1e-12);
  EXPECT_NEAR(d.msd_mm, mean, 1e-9);
  EXPECT_NEAR(d.hd95_mm, hd95, 1e-9);
}

TEST(SurfaceDistances, InvalidWhenEitherEmpty) {
  const cv::Mat a = Rect(10, 10, {2, 2, 3, 3}, 1);
  EXPECT_FALSE(SurfaceDistances(a, cv::Mat(10, 10, CV_8UC1, cv::Scalar(0)), 1, 1, 1).valid);
  const SurfaceDistance same = SurfaceDistances(a, a, 1, 1, 1);
  EXPECT_TRUE(same.valid);
  EXPECT_EQ(same.hd_mm, 0.0);
}

}  // namespace
}  // namespace botm::metrics
