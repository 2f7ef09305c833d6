// The input policy (crop to the sector, rank normalisation) on synthetic echo frames.
#include "core/model/internal/preprocess.h"

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "core/synth/echo_generator.h"

namespace botm::internal {
namespace {

cv::Mat ToFloat(const cv::Mat& gray8) {
  cv::Mat f;
  gray8.convertTo(f, CV_32FC1, 1.0 / 255.0);
  return f;
}

synth::Frame Render(uint64_t seed, synth::Difficulty bin, int size = 192) {
  synth::ClipOptions o;
  o.seed = seed;
  o.difficulty = bin;
  o.width = o.height = size;
  auto gen = synth::EchoGenerator::Create(o);
  EXPECT_TRUE(gen.ok()) << gen.status();
  return (*gen)->Render((*gen)->info().ed_frames.front());
}

TEST(PreprocessTest, SectorBoxFindsPaddedSectors) {
  for (uint64_t seed = 1; seed <= 8; ++seed) {
    synth::ClipOptions o;
    o.seed = seed;
    o.difficulty = synth::Difficulty::kPaddedSector;
    o.width = o.height = 192;
    auto gen = synth::EchoGenerator::Create(o);
    ASSERT_TRUE(gen.ok());
    const synth::ClipInfo& info = (*gen)->info();
    const cv::Rect found = FindSectorBox(ToFloat((*gen)->Render(0).image));
    const cv::Rect truth = info.sector_box;
    SCOPED_TRACE(testing::Message() << "seed " << seed << " truth " << truth << " found " << found);
    EXPECT_LT(truth.width, 0.6 * 192);  // the bin pads: the box must really cut something
    EXPECT_LE(std::abs(found.x - truth.x), 3);
    EXPECT_LE(std::abs(found.y - truth.y), 3);
    EXPECT_LE(std::abs(found.br().x - truth.br().x), 3);
    // The far edge may be dark (attenuation): allow a few rows more.
    EXPECT_LE(std::abs(found.br().y - truth.br().y), 6);
  }
}

TEST(PreprocessTest, SectorBoxKeepsFullAndDarkFrames) {
  const cv::Mat full = ToFloat(Render(3, synth::Difficulty::kNormal).image);
  const cv::Rect box = FindSectorBox(full);
  EXPECT_GE(box.width, 186);  // the standard bins' sector spans the frame
  EXPECT_GE(box.height, 180);
  const cv::Mat dark(64, 64, CV_32FC1, cv::Scalar(0));
  EXPECT_EQ(FindSectorBox(dark), cv::Rect(0, 0, 64, 64));
  cv::Mat speck = dark.clone();
  speck(cv::Rect(30, 30, 4, 4)).setTo(0.5);  // a tiny bright patch is no sector
  EXPECT_EQ(FindSectorBox(speck), cv::Rect(0, 0, 64, 64));
}

// Gain, gamma and contrast changes of the display leave the normalised input almost unchanged
// (only histogram-bin discretisation remains); padding stays 0.
TEST(PreprocessTest, RankNormalizationIsInvariantToDisplayMaps) {
  const synth::Frame f = Render(5, synth::Difficulty::kRandomized);
  cv::Mat base = ToFloat(f.image);
  cv::Mat changed;
  cv::pow(base, 2.2, changed);
  changed = 0.7 * changed + 0.05;
  changed.setTo(0, base == 0);
  RankNormalize(&base);
  RankNormalize(&changed);
  cv::Mat diff;
  cv::absdiff(base, changed, diff);
  cv::Scalar mean_diff = cv::mean(diff, f.image > 1);
  EXPECT_LT(mean_diff[0], 0.01);
  double lo = 0, hi = 0;
  cv::minMaxLoc(base, &lo, &hi);
  EXPECT_GE(lo, 0.0);
  EXPECT_LE(hi, 1.0);
  EXPECT_EQ(cv::countNonZero((base != 0) & (f.image <= 1)), 0);
  // In-sector values are spread over [0, 1]: their median is about one half.
  std::vector<float> v;
  for (int y = 0; y < base.rows; ++y) {
    for (int x = 0; x < base.cols; ++x) {
      if (f.image.at<uint8_t>(y, x) > 1) v.push_back(base.at<float>(y, x));
    }
  }
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  EXPECT_NEAR(v[v.size() / 2], 0.5, 0.05);
}

TEST(PreprocessTest, PolicyCropsResizesAndDefaultsToLegacy) {
  synth::ClipOptions o;
  o.seed = 2;
  o.difficulty = synth::Difficulty::kPaddedSector;
  o.width = o.height = 160;
  auto gen = synth::EchoGenerator::Create(o);
  ASSERT_TRUE(gen.ok());
  const cv::Mat frame = (*gen)->Render(0).image;
  InputPolicy policy;
  policy.size = 64;
  absl::StatusOr<PreparedInput> legacy = PrepareFrame(frame, policy);
  ASSERT_TRUE(legacy.ok());
  EXPECT_EQ(legacy->crop, cv::Rect(0, 0, 160, 160));
  EXPECT_EQ(legacy->input.size(), cv::Size(64, 64));
  absl::StatusOr<cv::Mat> old = PreprocessFrame(frame, 64);
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(cv::norm(*old, legacy->input, cv::NORM_INF), 0.0);
  policy.crop_sector = policy.rank_norm = true;
  absl::StatusOr<PreparedInput> cropped = PrepareFrame(frame, policy);
  ASSERT_TRUE(cropped.ok());
  EXPECT_LT(cropped->crop.width, 100);
  EXPECT_EQ(cropped->input.size(), cv::Size(64, 64));
  // The sector now fills the input (only the corners beside it stay black); the legacy input
  // is mostly padding.
  EXPECT_LT(cv::countNonZero(cropped->input == 0), 0.5 * 64 * 64);
  EXPECT_GT(cv::countNonZero(legacy->input == 0), 0.7 * 64 * 64);
  EXPECT_FALSE(PrepareFrame(cv::Mat(4, 4, CV_8UC1), policy).ok());
}

}  // namespace
}  // namespace botm::internal
