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

// A 128x128 pair: a fine 1-px checkerboard in [0.2, 0.8] inside a centred 64x64 "sector", black
// padding around it (frame b brighter), and the phantom labels scaled up.
FramePair CheckerPair() {
  FramePair p;
  p.image_a = cv::Mat(128, 128, CV_32FC1, cv::Scalar(0));
  for (int y = 32; y < 96; ++y) {
    for (int x = 32; x < 96; ++x) p.image_a.at<float>(y, x) = ((x + y) % 2) ? 0.8f : 0.2f;
  }
  p.image_b = p.image_a * 1.1;
  cv::resize(Phantom(), p.labels_a, cv::Size(128, 128), 0, 0, cv::INTER_NEAREST);
  p.labels_b = p.labels_a.clone();
  return p;
}

// What DegradeResolution must do at `factor` without JPEG.
cv::Mat ExpectedDegraded(const cv::Mat& image, double factor) {
  cv::Mat low, low8, back;
  const int side = static_cast<int>(std::lround(image.cols * factor));
  cv::resize(image, low, cv::Size(side, side), 0, 0, cv::INTER_AREA);
  low.convertTo(low8, CV_8UC1, 255.0);
  low8.convertTo(low, CV_32FC1, 1.0 / 255.0);
  cv::resize(low, back, image.size(), 0, 0, cv::INTER_LINEAR);
  return back;
}

TEST(AugmentTest, LowResolutionExportMatchesTheSectorToTheDrawnSize) {
  AugmentOptions o;
  o.lowres_probability = 1.0;
  o.min_lowres_frac = o.max_lowres_frac = 0.5;
  o.jpeg_probability = 0.0;
  // Input 64, fraction 0.5: the sector box (64 px) must span 32 px, so factor 0.5 with the
  // sector crop, 32 / 128 = 0.25 of the whole frame without it.
  for (const auto& [crop, factor] : {std::make_pair(true, 0.5), std::make_pair(false, 0.25)}) {
    FramePair p = CheckerPair();
    const FramePair before = CheckerPair();
    Rng rng(3);
    DegradeResolution(o, 64, crop, rng, &p);
    EXPECT_EQ(cv::norm(p.image_a, ExpectedDegraded(before.image_a, factor), cv::NORM_INF), 0.0)
        << "crop " << crop;
    EXPECT_EQ(cv::norm(p.image_b, ExpectedDegraded(before.image_b, factor), cv::NORM_INF), 0.0);
    EXPECT_EQ(cv::countNonZero(p.labels_a != before.labels_a), 0) << "labels keep full res";
    EXPECT_EQ(p.image_a.size(), before.image_a.size());
    // The 1-px checkerboard cannot survive: the sector's centre is close to its mean.
    EXPECT_NEAR(p.image_a.at<float>(64, 64), 0.5f, 0.02f);
  }
}

TEST(AugmentTest, LowResolutionExportIsOffByDefaultAndSkipsSmallFrames) {
  AugmentOptions o;  // lowres_probability 0
  FramePair p = CheckerPair();
  Rng rng(5), fresh(5);
  DegradeResolution(o, 64, true, rng, &p);
  EXPECT_EQ(cv::norm(p.image_a, CheckerPair().image_a, cv::NORM_INF), 0.0);
  EXPECT_EQ(rng.Next(), fresh.Next()) << "no draws when off: the historical stream is kept";
  o.lowres_probability = 1.0;
  o.min_lowres_frac = o.max_lowres_frac = 1.0;
  DegradeResolution(o, 64, true, rng, &p);  // the 64 px sector already is 64 px
  EXPECT_EQ(cv::norm(p.image_a, CheckerPair().image_a, cv::NORM_INF), 0.0);
}

TEST(AugmentTest, LowResolutionExportWithJpegIsDeterministic) {
  AugmentOptions o;
  o.lowres_probability = 1.0;
  o.jpeg_probability = 1.0;
  o.min_lowres_frac = o.max_lowres_frac = 0.75;
  FramePair a = CheckerPair(), b = CheckerPair();
  Rng ra(11), rb(11);
  DegradeResolution(o, 64, true, ra, &a);
  DegradeResolution(o, 64, true, rb, &b);
  EXPECT_EQ(cv::norm(a.image_a, b.image_a, cv::NORM_INF), 0.0);
  EXPECT_EQ(cv::norm(a.image_b, b.image_b, cv::NORM_INF), 0.0);
  // Compression changes the image beyond the plain export.
  EXPECT_GT(cv::norm(a.image_a, ExpectedDegraded(CheckerPair().image_a, 0.75), cv::NORM_INF), 0.0);
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
