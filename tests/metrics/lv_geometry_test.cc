#include <cmath>

#include <gtest/gtest.h>

#include "core/metrics/metrics.h"
#include "tests/metrics/test_shapes.h"

namespace botm::metrics {
namespace {

using testing::FillEllipseMm;

constexpr double kSx = 0.4, kSy = 0.3;  // anisotropic mm per pixel

double ProlateMl(double a_mm, double b_mm) {
  return 4.0 / 3.0 * M_PI * a_mm * b_mm * b_mm / 1000.0;
}

TEST(MeasureLv, FullEllipseMatchesProlateSpheroid) {
  cv::Mat m(240, 110, CV_8UC1, cv::Scalar(0));
  FillEllipseMm(&m, 22.0, 36.0, 30.0, 15.0, kSx, kSy, 1);
  const LvGeometry g = MeasureLv(m, kSx, kSy);
  EXPECT_FALSE(g.mitral_from_atrium);
  EXPECT_NEAR(g.area_mm2, M_PI * 30 * 15, 0.01 * M_PI * 30 * 15);
  EXPECT_NEAR(g.area_px * kSx * kSy, g.area_mm2, 1e-9);
  EXPECT_NEAR(g.length_mm, 60.0, 1.5);
  // Area-length equals the prolate volume 4/3 pi a b^2 for an ellipse with L = 2a.
  EXPECT_NEAR(g.volume_area_length_ml, ProlateMl(30, 15), 0.025 * ProlateMl(30, 15));
  EXPECT_NEAR(g.volume_discs_ml, ProlateMl(30, 15), 0.025 * ProlateMl(30, 15));
  EXPECT_LT(g.apex_px.y, g.mitral_mid_px.y);  // apex at the top
}

TEST(MeasureLv, TruncatedEllipseWithAtriumUsesMitralContact) {
  cv::Mat m(260, 110, CV_8UC1, cv::Scalar(0));
  FillEllipseMm(&m, 22.0, 45.0, 20.0, 12.0, kSx, kSy, 3);  // LA below the base (drawn first)
  FillEllipseMm(&m, 22.0, 45.0, 35.0, 14.0, kSx, kSy, 1, 0.0, /*upper_half_only=*/true);
  const LvGeometry g = MeasureLv(m, kSx, kSy);
  EXPECT_TRUE(g.mitral_from_atrium);
  EXPECT_NEAR(g.mitral_mid_px.x * kSx, 22.0, 0.5);
  EXPECT_NEAR(g.mitral_mid_px.y * kSy, 45.0, 0.6);
  EXPECT_NEAR(g.length_mm, 35.0, 1.0);
  const double half = ProlateMl(35, 14) / 2;  // half prolate spheroid
  EXPECT_NEAR(g.volume_area_length_ml, half, 0.025 * half);
  EXPECT_NEAR(g.volume_discs_ml, half, 0.025 * half);
}

TEST(MeasureLv, AtriumAFewPixelsAwayStillGivesMitralPlane) {
  cv::Mat m(260, 110, CV_8UC1, cv::Scalar(0));
  FillEllipseMm(&m, 22.0, 45.0, 20.0, 12.0, kSx, kSy, 3);
  FillEllipseMm(&m, 22.0, 45.0, 35.0, 14.0, kSx, kSy, 2, 0.0, /*upper_half_only=*/true);
  FillEllipseMm(&m, 22.0, 45.0, 33.0, 12.0, kSx, kSy, 1, 0.0, /*upper_half_only=*/true);
  // Rows 151..153 (just below the cavity's last row 150) become myocardium: a 3-px gap.
  cv::Mat band = m.rowRange(151, 154);
  band.setTo(2, band == 3);
  const LvGeometry g = MeasureLv(m, kSx, kSy);
  EXPECT_TRUE(g.mitral_from_atrium);
  EXPECT_NEAR(g.mitral_mid_px.x * kSx, 22.0, 0.5);
  EXPECT_NEAR(g.mitral_mid_px.y * kSy, 45.0, 1.0);
  EXPECT_NEAR(g.length_mm, 33.0, 1.0);
}

TEST(MeasureLv, TiltedEllipseFollowsPrincipalAxis) {
  cv::Mat m(240, 200, CV_8UC1, cv::Scalar(0));
  const double tilt = 25.0 * M_PI / 180.0;
  FillEllipseMm(&m, 40.0, 36.0, 28.0, 12.0, kSx, kSy, 1, tilt);
  const LvGeometry g = MeasureLv(m, kSx, kSy);
  EXPECT_NEAR(g.length_mm, 56.0, 1.5);
  const double dx = (g.mitral_mid_px.x - g.apex_px.x) * kSx;
  const double dy = (g.mitral_mid_px.y - g.apex_px.y) * kSy;
  EXPECT_NEAR(std::atan2(dx, dy), tilt, 0.05);
  EXPECT_NEAR(g.volume_discs_ml, ProlateMl(28, 12), 0.025 * ProlateMl(28, 12));
}

TEST(MeasureLv, EmptyOrNoSpacingGivesZeros) {
  cv::Mat m(20, 20, CV_8UC1, cv::Scalar(0));
  EXPECT_EQ(MeasureLv(m, 1, 1).volume_discs_ml, 0.0);
  m(cv::Rect(5, 5, 4, 8)).setTo(1);
  const LvGeometry g = MeasureLv(m, 0, 0);
  EXPECT_EQ(g.area_px, 32.0);
  EXPECT_EQ(g.area_mm2, 0.0);
  EXPECT_EQ(g.volume_area_length_ml, 0.0);
}

}  // namespace
}  // namespace botm::metrics
