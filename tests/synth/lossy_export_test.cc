// Lossy exports (ClipOptions::jpeg_quality, core/synth/lossy_export.h): the frames carry JPEG's
// artefacts, more of them at lower quality, the labels and clip facts stay those of the clean
// clip, rendering stays deterministic, and bad qualities are refused by name.
#include "core/synth/lossy_export.h"

#include <gtest/gtest.h>
#include <opencv2/core.hpp>

#include "core/synth/echo_generator.h"
#include "tests/synth/make_clip.h"

namespace botm::synth {
namespace {

ClipOptions Padded(uint64_t seed, int quality, bool colour = false) {
  ClipOptions o;
  o.seed = seed;
  o.difficulty = Difficulty::kPaddedSector;
  o.width = o.height = 256;
  o.colour = colour;
  o.jpeg_quality = quality;
  return o;
}

double MeanAbsDiff(const cv::Mat& a, const cv::Mat& b) {
  cv::Mat d;
  cv::absdiff(a, b, d);
  return cv::mean(d.reshape(1))[0];
}

TEST(LossyExportTest, JpegFramesCarryArtefactsAndKeepTheTruth) {
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    SCOPED_TRACE(testing::Message() << "seed " << seed);
    auto clean = MakeClip(Padded(seed, 0));
    auto q90 = MakeClip(Padded(seed, 90));
    auto q30 = MakeClip(Padded(seed, 30));
    ASSERT_TRUE(clean && q90 && q30);
    EXPECT_EQ(q30->info().jpeg_quality, 30);
    EXPECT_EQ(q30->info().num_frames, clean->info().num_frames);
    EXPECT_EQ(q30->info().ed_frames, clean->info().ed_frames);
    EXPECT_EQ(cv::countNonZero(q30->info().sector_mask != clean->info().sector_mask), 0);
    const int t = clean->info().num_frames / 3;
    const Frame c = clean->Render(t), a = q90->Render(t), b = q30->Render(t);
    ASSERT_EQ(b.image.type(), CV_8UC1);
    ASSERT_EQ(b.image.size(), c.image.size());
    EXPECT_EQ(cv::countNonZero(b.labels != c.labels), 0);
    const double d90 = MeanAbsDiff(a.image, c.image), d30 = MeanAbsDiff(b.image, c.image);
    EXPECT_GT(d90, 0.05);
    EXPECT_GT(d30, d90) << "lower quality, larger error";
    EXPECT_LT(d30, 12.0) << "still the same picture";
    // Ringing at the sector's rim puts faint values into the black padding.
    const cv::Mat outside = clean->info().sector_mask == 0;
    EXPECT_GT(cv::countNonZero(b.image & outside), cv::countNonZero(c.image & outside));
    const Frame again = q30->Render(t);
    EXPECT_EQ(cv::countNonZero(again.image != b.image), 0) << "deterministic";
  }
}

TEST(LossyExportTest, ColourFramesStayColour) {
  auto colour = MakeClip(Padded(2, 0, true));
  auto lossy = MakeClip(Padded(2, 60, true));
  ASSERT_TRUE(colour && lossy);
  const Frame c = colour->Render(5), l = lossy->Render(5);
  ASSERT_EQ(l.image.type(), CV_8UC3);
  const double d = MeanAbsDiff(l.image, c.image);
  EXPECT_GT(d, 0.05);
  EXPECT_LT(d, 12.0);
}

TEST(LossyExportTest, BadQualityIsRefusedByName) {
  for (int q : {-5, 101}) {
    auto gen = EchoGenerator::Create(Padded(1, q));
    ASSERT_FALSE(gen.ok());
    EXPECT_EQ(gen.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(gen.status().message().find("jpeg_quality"), std::string::npos)
        << gen.status().message();
  }
}

TEST(LossyExportTest, RoundTripLeavesUnsupportedInputAlone) {
  const cv::Mat wide(16, 16, CV_16UC1, cv::Scalar(1000));
  const cv::Mat out = JpegRoundTrip(wide, 50);
  EXPECT_EQ(out.type(), CV_16UC1);
  EXPECT_EQ(out.data, wide.data);
  const cv::Mat grey(16, 16, CV_8UC1, cv::Scalar(77));
  EXPECT_EQ(JpegRoundTrip(grey, 0).data, grey.data) << "quality 0 is not a JPEG quality";
}

}  // namespace
}  // namespace botm::synth
