#include <algorithm>
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "core/metrics/metrics.h"
#include "tests/metrics/test_shapes.h"

namespace botm::metrics {
namespace {

// Area 1000 + 300 cos(2 pi (t + phase) / period) with uniform noise of +-noise.
std::vector<double> CosineCurve(int n, double period, double phase, double noise) {
  cv::RNG rng(11);
  std::vector<double> c;
  for (int t = 0; t < n; ++t) {
    c.push_back(1000 + 300 * std::cos(2 * M_PI * (t + phase) / period) +
                rng.uniform(-noise, noise));
  }
  return c;
}

void ExpectNear(const std::vector<int>& got, const std::vector<int>& want, int tol) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tol) << i;
}

TEST(DetectEdEs, NoisyCosineInteriorExtrema) {
  EdEsOptions options;
  options.accept_boundary_extrema = false;
  const EdEs e = DetectEdEs(CosineCurve(60, 20, 5, 40), options);
  ExpectNear(e.ed_frames, {15, 35, 55}, 1);
  ExpectNear(e.es_frames, {5, 25, 45}, 1);
}

TEST(DetectEdEs, BoundaryExtremaKeptOnlyWhenTheyMatchInteriorOnes) {
  // Phase 0: frame 0 is a true ED; frame 59 is one frame before the next ED.
  EdEs e = DetectEdEs(CosineCurve(60, 20, 0, 40));
  ExpectNear(e.ed_frames, {0, 20, 40, 59}, 1);
  ExpectNear(e.es_frames, {10, 30, 50}, 1);
  // Phase 5: frames 0 and 59 lie mid-way between ED and ES, so neither is reported.
  e = DetectEdEs(CosineCurve(60, 20, 5, 40));
  ExpectNear(e.ed_frames, {15, 35, 55}, 1);
  ExpectNear(e.es_frames, {5, 25, 45}, 1);
}

TEST(DetectEdEs, HalfCycleFromEdToEs) {
  std::vector<double> c;  // CAMUS-like: ED on the first frame, ES on the last
  for (int t = 0; t < 15; ++t) c.push_back(1000 + 300 * std::cos(M_PI * t / 14));
  const EdEs e = DetectEdEs(c);
  EXPECT_EQ(e.ed_frames, std::vector<int>({0}));
  EXPECT_EQ(e.es_frames, std::vector<int>({14}));
}

TEST(DetectEdEs, IgnoresSpikesBelowProminence) {
  std::vector<double> c = CosineCurve(40, 20, 0, 10);
  c[12] += 100;  // a glitch during systole, a third of the swing
  c[13] -= 100;
  EdEsOptions options;
  options.accept_boundary_extrema = false;
  const EdEs e = DetectEdEs(c, options);
  ExpectNear(e.ed_frames, {20}, 1);
  ExpectNear(e.es_frames, {10, 30}, 1);
}

TEST(DetectEdEs, FlatOrShortCurvesGiveNothing) {
  EXPECT_TRUE(DetectEdEs(std::vector<double>(30, 500.0)).ed_frames.empty());
  EXPECT_TRUE(DetectEdEs({1.0, 2.0}).es_frames.empty());
}

TEST(EjectionFraction, Percent) {
  EXPECT_DOUBLE_EQ(EjectionFraction(100, 40), 60.0);
  EXPECT_DOUBLE_EQ(EjectionFraction(0, 40), 0.0);
}

TEST(EstimateClipEf, EllipsesWithKnownVolumeRatio) {
  // Width 15 mm at ED (frame 0) down to 12 mm at ES (frame 12): EF = 1 - (12/15)^2 = 36 %.
  std::vector<cv::Mat> clip;
  for (int t = 0; t < 24; ++t) {
    const double b = 15.0 - 1.5 * (1 - std::cos(2 * M_PI * t / 24.0));
    cv::Mat m(220, 100, CV_8UC1, cv::Scalar(0));
    testing::FillEllipseMm(&m, 20.0, 32.0, 28.0, b, 0.4, 0.3, 1);
    clip.push_back(m);
  }
  const ClipEf ef = EstimateClipEf(clip, 0.4, 0.3);
  ASSERT_TRUE(ef.valid);
  EXPECT_EQ(ef.ed, 0);
  EXPECT_EQ(ef.es, 12);
  EXPECT_NEAR(ef.ef_area_length_pct, 36.0, 2.0);
  EXPECT_NEAR(ef.ef_discs_pct, 36.0, 2.0);
  EXPECT_GT(ef.edv_discs_ml, ef.esv_discs_ml);
  EXPECT_FALSE(EstimateClipEf(clip, 0, 0.3).valid);
  EXPECT_FALSE(EstimateClipEf({clip[0]}, 0.4, 0.3).valid);
}

TEST(EstimateClipEf, ClipStartingInSystoleUsesAFullBeat) {
  // Two beats of 20 frames starting a quarter period before ES: frame 0 is mid-systole.
  std::vector<cv::Mat> clip;
  for (int t = 0; t < 40; ++t) {
    const double b = 15.0 - 1.5 * (1 - std::cos(2 * M_PI * (t + 5) / 20.0));
    cv::Mat m(220, 100, CV_8UC1, cv::Scalar(0));
    testing::FillEllipseMm(&m, 20.0, 32.0, 28.0, b, 0.4, 0.3, 1);
    clip.push_back(m);
  }
  const ClipEf ef = EstimateClipEf(clip, 0.4, 0.3);
  ASSERT_TRUE(ef.valid);
  EXPECT_NEAR(ef.ed, 15, 1);
  EXPECT_NEAR(ef.es, 25, 1);
  EXPECT_NEAR(ef.ef_discs_pct, 36.0, 2.0);
}

TEST(LvAreaCurve, CountsLabel) {
  cv::Mat m(10, 10, CV_8UC1, cv::Scalar(0));
  m(cv::Rect(0, 0, 3, 4)).setTo(1);
  m(cv::Rect(5, 5, 2, 2)).setTo(3);
  const std::vector<double> c = LvAreaCurve({m, m});
  EXPECT_EQ(c, std::vector<double>({12.0, 12.0}));
  EXPECT_EQ(LvAreaCurve({m}, 3)[0], 4.0);
}

TEST(TemporalConsistency, SmoothCurveHasNoFlags) {
  const TemporalConsistency tc = MeasureTemporalConsistency(CosineCurve(60, 14, 0, 0));
  EXPECT_EQ(tc.flagged, 0);
  EXPECT_EQ(tc.spikes, 0);
  EXPECT_EQ(tc.flagged_fraction, 0.0);
  EXPECT_GT(tc.flicker, 0.0);
}

TEST(TemporalConsistency, InjectedSpikeIsFlagged) {
  std::vector<double> c = CosineCurve(50, 20, 0, 0);
  c[17] *= 1.2;  // 1176 -> 1411: 0.49 of the mean in second difference, 0.17 above c[18]
  const TemporalConsistency tc = MeasureTemporalConsistency(c);
  EXPECT_EQ(tc.flagged_frames, std::vector<int>({17}));
  EXPECT_EQ(tc.spike_frames, std::vector<int>({17}));
  EXPECT_DOUBLE_EQ(tc.flagged_fraction, 1 / 50.0);
}

TEST(TemporalConsistency, FlickerByHand) {
  TemporalConsistency tc = MeasureTemporalConsistency({100, 110, 100, 110});
  EXPECT_NEAR(tc.flicker, 10.0 / 105.0, 1e-12);
  // Second differences -20 and 20, / 105 = 0.19; spikes 10 / 105 = 0.095: all below default.
  EXPECT_EQ(tc.flagged, 0);
  EXPECT_EQ(tc.spikes, 0);
  tc = MeasureTemporalConsistency({100, 110, 100, 110}, 0.18, 0.09);
  EXPECT_EQ(tc.flagged_frames, std::vector<int>({1, 2}));
  EXPECT_EQ(tc.spike_frames, std::vector<int>({1, 2}));
  EXPECT_EQ(MeasureTemporalConsistency({5, 5, 5}).flicker, 0.0);
}

TEST(LabelFlicker, ShiftedSquareByHand) {
  cv::Mat a(20, 20, CV_8UC1, cv::Scalar(0));
  a(cv::Rect(2, 2, 10, 10)).setTo(1);
  cv::Mat b(20, 20, CV_8UC1, cv::Scalar(0));
  b(cv::Rect(3, 2, 10, 10)).setTo(1);
  EXPECT_NEAR(LabelFlicker({a, b}), 20.0 / 110.0, 1e-12);
  EXPECT_NEAR(LabelFlicker({a, b, b}), 10.0 / 110.0, 1e-12);
  EXPECT_EQ(LabelFlicker({a}), 0.0);
}

}  // namespace
}  // namespace botm::metrics
