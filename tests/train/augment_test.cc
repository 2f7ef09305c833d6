#include "core/train/augment.h"

#include <opencv2/imgproc.hpp>

#include <gtest/gtest.h>

#include "core/train/schedule.h"

namespace botm::train {
namespace {

// A 64x64 label map with an LV ellipse (1) inside a myocardium ring (2) and an atrium (3).
cv::Mat Phantom() {
  cv::Mat l(64, 64, CV_8UC1, cv::Scalar(0));
  cv::ellipse(l, cv::Point(32, 26), cv::Size(14, 20), 0, 0, 360, cv::Scalar(2), -1);
  cv::ellipse(l, cv::Point(32, 26), cv::Size(9, 15), 0, 0, 360, cv::Scalar(1), -1);
  cv::circle(l, cv::Point(32, 54), 8, cv::Scalar(3), -1);
  return l;
}

TEST(AugmentTest, GeometricKeepsImageAndLabelsAligned) {
  Rng rng(7);
  AugmentOptions o;
  for (int trial = 0; trial < 5; ++trial) {
    cv::Mat labels = Phantom();
    cv::Mat image;
    labels.convertTo(image, CV_32FC1, 1.0 / 3.0);  // image encodes the label
    const GeometricParams g = SampleGeometric(o, rng);
    ApplyGeometric(g, &image, &labels);
    ASSERT_NE(cv::countNonZero(labels != Phantom()), 0) << "transform should move the anatomy";
    cv::Mat from_image;
    cv::Mat rounded = image * 3.0;
    rounded.convertTo(from_image, CV_8UC1);  // rounds to the nearest label
    const double agree = 1.0 - cv::countNonZero(from_image != labels) / (64.0 * 64.0);
    EXPECT_GT(agree, 0.97) << "trial " << trial;  // only boundary pixels may differ
  }
}

TEST(AugmentTest, PairSharesGeometryAndAppearanceButNotNoise) {
  AugmentOptions o;
  o.dropout_probability = 0;
  o.noise_probability = 0;
  o.gamma_probability = 1;
  for (uint64_t seed = 11; seed < 16; ++seed) {
    Rng rng(seed);
    FramePair p;
    p.labels_a = Phantom();
    p.labels_b = Phantom();
    p.labels_a.convertTo(p.image_a, CV_32FC1, 0.2, 0.1);
    p.image_b = p.image_a.clone();
    const cv::Mat before = p.image_a.clone();
    AugmentPair(o, rng, &p);
    EXPECT_EQ(cv::countNonZero(p.labels_a != p.labels_b), 0);
    EXPECT_NE(cv::countNonZero(p.labels_a != Phantom()), 0);
    double mn = 0, mx = 0;
    cv::minMaxLoc(p.image_a, &mn, &mx);
    EXPECT_GE(mn, 0.0);
    EXPECT_LE(mx, 1.0);
    // Same scanner settings for both frames of a clip: identical frames stay identical.
    EXPECT_EQ(cv::norm(p.image_a, p.image_b, cv::NORM_INF), 0.0);
  }
  // The noise field is drawn per frame.
  o.noise_probability = 1;
  Rng rng(3);
  FramePair p;
  p.labels_a = p.labels_b = Phantom();
  p.labels_a.convertTo(p.image_a, CV_32FC1, 0.2, 0.1);
  p.image_b = p.image_a.clone();
  AugmentPair(o, rng, &p);
  EXPECT_GT(cv::norm(p.image_a, p.image_b, cv::NORM_L1), 1.0);
}

// Black padding outside the sector stays exactly black (real exports are padded with zeros),
// and the appearance spans a wide gamma range.
TEST(AugmentTest, PaddingStaysBlackAndGammaIsWide) {
  AugmentOptions o;
  o.gamma_probability = 1;
  double lo = 10, hi = 0;
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    Rng rng(seed);
    cv::Mat image(64, 64, CV_32FC1, cv::Scalar(0));
    image(cv::Rect(16, 8, 32, 48)).setTo(0.5);
    const cv::Mat padding = image == 0;
    ApplyPhotometric(o, Phantom(), rng, &image);
    ASSERT_EQ(cv::countNonZero((image != 0) & padding), 0) << "seed " << seed;
    Rng again(seed);
    const AppearanceParams a = SampleAppearance(o, image.size(), again);
    lo = std::min(lo, a.gamma);
    hi = std::max(hi, a.gamma);
  }
  EXPECT_LT(lo, 0.5);
  EXPECT_GT(hi, 2.5);
}

TEST(AugmentTest, SameSeedSameAugmentation) {
  auto run = [](uint64_t seed) {
    Rng rng(seed);
    FramePair p;
    p.labels_a = p.labels_b = Phantom();
    p.labels_a.convertTo(p.image_a, CV_32FC1, 0.25);
    p.image_b = p.image_a.clone();
    AugmentPair(AugmentOptions(), rng, &p);
    return p;
  };
  FramePair x = run(3), y = run(3), z = run(4);
  EXPECT_EQ(cv::norm(x.image_a, y.image_a, cv::NORM_INF), 0.0);
  EXPECT_EQ(cv::countNonZero(x.labels_b != y.labels_b), 0);
  EXPECT_GT(cv::norm(x.image_a, z.image_a, cv::NORM_INF), 0.0);
}

TEST(AugmentTest, WallDropoutDarkensOnlyNearTheMyocardium) {
  AugmentOptions o;
  o.dropout_probability = 1;
  o.noise_probability = o.blur_probability = o.gamma_probability = 0;
  o.contrast_probability = o.gain_field_probability = 0;
  o.gain_jitter = o.offset_jitter = 0;
  const cv::Mat labels = Phantom();
  cv::Mat image(64, 64, CV_32FC1, cv::Scalar(0.5));
  Rng rng(5);
  ApplyPhotometric(o, labels, rng, &image);
  cv::Mat darker = image < 0.49f;
  EXPECT_GT(cv::countNonZero(darker), 10);
  cv::Mat near_wall = labels == 2;
  cv::dilate(near_wall, near_wall, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(13, 13)));
  EXPECT_EQ(cv::countNonZero(darker & ~near_wall), 0);
}

TEST(ScheduleTest, WarmupThenCosineToFloor) {
  ScheduleOptions o;
  o.base_lr = 1.0;
  o.warmup_steps = 10;
  o.min_lr_ratio = 0.1;
  EXPECT_DOUBLE_EQ(LearningRateAt(0, 110, o), 0.1);
  EXPECT_DOUBLE_EQ(LearningRateAt(9, 110, o), 1.0);
  EXPECT_DOUBLE_EQ(LearningRateAt(10, 110, o), 1.0);
  EXPECT_NEAR(LearningRateAt(60, 110, o), 0.55, 1e-12);
  EXPECT_NEAR(LearningRateAt(110, 110, o), 0.1, 1e-12);
  EXPECT_EQ(PlanTotalSteps(30, 2.0, 100.0, 10000, 1.0), 230);
  EXPECT_EQ(PlanTotalSteps(30, 2.0, 100.0, 100, 1.0), 100);
}

}  // namespace
}  // namespace botm::train
