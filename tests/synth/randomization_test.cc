// The domain-randomised family: deterministic, wide, and each robustness bin really shifts its
// factor (padding, dilation, truncated atria, bright cavities, display maps).
#include <algorithm>
#include <vector>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "core/synth/echo_generator.h"

namespace botm::synth {
namespace {

std::unique_ptr<EchoGenerator> Make(uint64_t seed, Difficulty d, int size = 128) {
  ClipOptions o;
  o.seed = seed;
  o.difficulty = d;
  o.width = o.height = size;
  auto gen = EchoGenerator::Create(o);
  EXPECT_TRUE(gen.ok()) << gen.status();
  return gen.ok() ? std::move(*gen) : nullptr;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

TEST(RandomizationTest, FamilyIsDeterministicAndDiffersFromTheStandardBins) {
  for (int d = static_cast<int>(Difficulty::kRandomized); d < kNumDifficulties; ++d) {
    auto a = Make(9, static_cast<Difficulty>(d)), b = Make(9, static_cast<Difficulty>(d));
    ASSERT_TRUE(a && b);
    const Frame fa = a->Render(3), fb = b->Render(3);
    EXPECT_EQ(cv::countNonZero(fa.image != fb.image), 0) << d;
    EXPECT_EQ(cv::countNonZero(fa.labels != fb.labels), 0) << d;
  }
  auto normal = Make(9, Difficulty::kNormal), randomized = Make(9, Difficulty::kRandomized);
  EXPECT_GT(cv::countNonZero(normal->Render(3).image != randomized->Render(3).image), 1000);
  EXPECT_TRUE(IsRobustnessBin(Difficulty::kRealLike));
  EXPECT_FALSE(IsRobustnessBin(Difficulty::kRandomized));
  EXPECT_EQ(kNumTrainingBins, static_cast<int>(Difficulty::kRandomized) + 1);
}

// Labels never leave the sector, which the padded bin places inside black padding.
TEST(RandomizationTest, PaddedSectorsLeaveBlackMarginsAndLabelsStayInside) {
  std::vector<double> width_share;
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    auto g = Make(seed, Difficulty::kPaddedSector, 160);
    ASSERT_TRUE(g);
    const ClipInfo& info = g->info();
    const Frame f = g->Render(info.es_frames.front());
    width_share.push_back(info.sector_box.width / 160.0);
    EXPECT_NEAR(info.sector_width_fraction, info.sector_box.width / 160.0, 0.03);
    EXPECT_EQ(cv::countNonZero((f.labels > 0) & (info.sector_mask == 0)), 0) << seed;
    EXPECT_EQ(cv::countNonZero((f.image > 0) & (info.sector_mask == 0)), 0) << seed;
    EXPECT_GT(cv::countNonZero(f.labels == kLvCavity), 50) << seed;
  }
  EXPECT_LT(*std::max_element(width_share.begin(), width_share.end()), 0.52);
  EXPECT_GT(*std::min_element(width_share.begin(), width_share.end()), 0.33);
}

// Dilated ventricles are rounder and longer than normal ones; truncated atria reach the far
// edge of the sector.
TEST(RandomizationTest, AnatomyTailsAreWhatTheirBinsSay) {
  std::vector<double> normal_ratio, dilated_ratio;
  int atria_at_edge = 0;
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    for (Difficulty d : {Difficulty::kNormal, Difficulty::kDilated}) {
      auto g = Make(seed, d);
      const Frame f = g->Render(g->info().ed_frames.front());
      std::vector<cv::Point> pts;
      cv::findNonZero(f.labels == kLvCavity, pts);
      const cv::RotatedRect box = cv::minAreaRect(pts);
      const double ratio = std::max(box.size.width, box.size.height) /
                           std::max(1.0f, std::min(box.size.width, box.size.height));
      (d == Difficulty::kNormal ? normal_ratio : dilated_ratio).push_back(ratio);
      EXPECT_LE(g->info().ejection_fraction_pct, d == Difficulty::kDilated ? 35.0 : 80.0);
    }
    auto t = Make(seed, Difficulty::kTruncatedAtrium);
    const ClipInfo& info = t->info();
    const Frame f = t->Render(info.ed_frames.front());
    // The last sector row that holds any pixel of the sector also holds atrium.
    int bottom = info.sector_box.br().y - 1;
    while (bottom > 0 && cv::countNonZero(info.sector_mask.row(bottom)) < 3) --bottom;
    bool at_edge = false;
    for (int v = bottom - 3; v <= bottom; ++v) {
      at_edge |= cv::countNonZero(f.labels.row(v) == kLeftAtrium) > 0;
    }
    atria_at_edge += at_edge;
  }
  EXPECT_LT(Median(dilated_ratio), Median(normal_ratio) - 0.3);
  EXPECT_GE(atria_at_edge, 9);
}

// Bright cavities: blood within a few display levels of the wall; the randomised bin spans
// near-black to bright cavities.
TEST(RandomizationTest, CavityContrastSpansTheRange) {
  std::vector<double> bright_gap, random_lv;
  for (uint64_t seed = 1; seed <= 16; ++seed) {
    for (Difficulty d : {Difficulty::kBrightCavity, Difficulty::kRandomized}) {
      auto g = Make(seed, d);
      const Frame f = g->Render(g->info().ed_frames.front());
      const double lv = cv::mean(f.image, f.labels == kLvCavity)[0];
      const double myo = cv::mean(f.image, f.labels == kLvMyocardium)[0];
      if (d == Difficulty::kBrightCavity) {
        bright_gap.push_back(myo - lv);
      } else {
        random_lv.push_back(lv);
      }
    }
  }
  EXPECT_LT(Median(bright_gap), 20);
  EXPECT_LT(*std::min_element(random_lv.begin(), random_lv.end()), 25);
  EXPECT_GT(*std::max_element(random_lv.begin(), random_lv.end()), 80);
}

}  // namespace
}  // namespace botm::synth
