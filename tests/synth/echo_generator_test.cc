#include "core/synth/echo_generator.h"

#include <algorithm>
#include <cmath>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "tests/synth/make_clip.h"

namespace botm::synth {
namespace {

std::unique_ptr<EchoGenerator> MakeGen(const ClipOptions& o) { return MakeClip(o); }

bool SameMat(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() && cv::countNonZero(a != b) == 0;
}

TEST(EchoGeneratorTest, SameOptionsGiveIdenticalBytes) {
  ClipOptions o;
  o.seed = 42;
  o.num_frames = 12;
  auto a = MakeGen(o), b = MakeGen(o);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->info().lv_volume_ml, b->info().lv_volume_ml);
  EXPECT_EQ(a->info().ed_frames, b->info().ed_frames);
  // Out of order and from another thread: Render is random-access and const.
  Frame late = b->Render(9);
  Frame threaded;
  std::thread worker([&] { threaded = b->Render(3); });
  worker.join();
  const std::vector<Frame> all = a->RenderAll();
  ASSERT_EQ(all.size(), 12u);
  EXPECT_TRUE(SameMat(all[9].image, late.image));
  EXPECT_TRUE(SameMat(all[9].labels, late.labels));
  EXPECT_TRUE(SameMat(all[3].image, threaded.image));
}

TEST(EchoGeneratorTest, DifferentSeedsDiffer) {
  ClipOptions o;
  o.num_frames = 2;
  o.seed = 1;
  auto a = MakeGen(o);
  o.seed = 2;
  auto b = MakeGen(o);
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(SameMat(a->Render(0).image, b->Render(0).image));
  // Consecutive frames differ too (motion, blood speckle).
  EXPECT_FALSE(SameMat(a->Render(0).image, a->Render(1).image));
}

TEST(EchoGeneratorTest, RejectsBadOptions) {
  const auto bad = [](auto mutate) {
    ClipOptions o;
    mutate(o);
    auto gen = EchoGenerator::Create(o);
    return !gen.ok() && gen.status().code() == absl::StatusCode::kInvalidArgument;
  };
  EXPECT_TRUE(bad([](ClipOptions& o) { o.width = 16; }));
  EXPECT_TRUE(bad([](ClipOptions& o) { o.height = 4096; }));
  EXPECT_TRUE(bad([](ClipOptions& o) { o.num_frames = -1; }));
  EXPECT_TRUE(bad([](ClipOptions& o) { o.num_frames = 2001; }));
  EXPECT_TRUE(bad([](ClipOptions& o) { o.ejection_fraction_pct = 10; }));
  EXPECT_TRUE(bad([](ClipOptions& o) { o.ejection_fraction_pct = 81; }));
  EXPECT_TRUE(bad([](ClipOptions& o) { o.heart_rate_bpm = 200; }));
  EXPECT_TRUE(bad([](ClipOptions& o) { o.fps = 100; }));
  EXPECT_TRUE(bad([](ClipOptions& o) { o.difficulty = static_cast<Difficulty>(17); }));
  EXPECT_TRUE(bad([](ClipOptions& o) { o.view = static_cast<View>(5); }));
  EXPECT_TRUE(bad([](ClipOptions& o) { o.anatomy_revision = 0; }));
  EXPECT_TRUE(bad([](ClipOptions& o) { o.anatomy_revision = kLatestAnatomyRevision + 1; }));
  {
    ClipOptions o;
    o.anatomy_revision = 3;
    EXPECT_THAT(std::string(EchoGenerator::Create(o).status().message()),
                ::testing::HasSubstr("anatomy_revision = 3 is outside 1..2"));
  }
  EXPECT_FALSE(bad([](ClipOptions& o) { o.anatomy_revision = kLatestAnatomyRevision; }));
  EXPECT_FALSE(bad([](ClipOptions& o) { o.ejection_fraction_pct = 15; }));
  EXPECT_FALSE(bad([](ClipOptions& o) { o.ejection_fraction_pct = 80; }));
}

TEST(EchoGeneratorTest, DifficultyNamesRoundTrip) {
  for (int i = 0; i < kNumDifficulties; ++i) {
    const Difficulty d = static_cast<Difficulty>(i);
    auto parsed = ParseDifficulty(DifficultyName(d));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, d);
    EXPECT_GE(HeldOutSeed(d, 0), kFirstHeldOutSeed);
    if (i > 0) {
      EXPECT_NE(HeldOutSeed(d, 0), HeldOutSeed(Difficulty(i - 1), 0));
    }
  }
  auto bad = ParseDifficulty("hard");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("hard"), absl::string_view::npos);
}

TEST(EchoGeneratorTest, OverridesAreHonoured) {
  ClipOptions o;
  o.seed = 9;
  o.ejection_fraction_pct = 35;
  o.heart_rate_bpm = 72;
  o.fps = 30;
  o.view = View::kTwoChamber;
  o.width = 96;
  o.height = 80;
  auto gen = MakeGen(o);
  ASSERT_TRUE(gen);
  const ClipInfo& info = gen->info();
  EXPECT_DOUBLE_EQ(info.ejection_fraction_pct, 35);
  EXPECT_DOUBLE_EQ(info.heart_rate_bpm, 72);
  EXPECT_DOUBLE_EQ(info.fps, 30);
  EXPECT_EQ(info.view, View::kTwoChamber);
  const Frame f = gen->Render(0);
  EXPECT_EQ(f.image.cols, 96);
  EXPECT_EQ(f.image.rows, 80);
  EXPECT_EQ(f.image.type(), CV_8UC1);
  EXPECT_EQ(f.labels.type(), CV_8UC1);
  // The output grid spans the sector: width = 2 depth sin(angle / 2), height = depth.
  const double half = info.sector_angle_deg * M_PI / 360;
  EXPECT_NEAR(info.spacing_mm_x * 96, 20 * info.depth_cm * std::sin(half), 1e-6);
  EXPECT_NEAR(info.spacing_mm_y * 80, 10 * info.depth_cm, 1e-6);
  EXPECT_GE(info.sector_angle_deg, 75);
  EXPECT_LE(info.sector_angle_deg, 90);
  EXPECT_GE(info.depth_cm, 13);
  EXPECT_LE(info.depth_cm, 17);
}

// Pearson correlation of two images over a mask.
double Correlation(const cv::Mat& a, const cv::Mat& b, const cv::Mat& mask) {
  cv::Mat fa, fb;
  a.convertTo(fa, CV_64F);
  b.convertTo(fb, CV_64F);
  const double ma = cv::mean(fa, mask)[0], mb = cv::mean(fb, mask)[0];
  double sab = 0, saa = 0, sbb = 0;
  for (int v = 0; v < a.rows; ++v) {
    for (int u = 0; u < a.cols; ++u) {
      if (!mask.at<uint8_t>(v, u)) continue;
      const double da = fa.at<double>(v, u) - ma, db = fb.at<double>(v, u) - mb;
      sab += da * db;
      saa += da * da;
      sbb += db * db;
    }
  }
  return sab / std::sqrt(saa * sbb + 1e-12);
}

// Tissue speckle persists from frame to frame (it moves with the tissue and decorrelates
// slowly); blood speckle is redrawn every frame. The easy bin has no static cavity haze.
TEST(EchoGeneratorTest, TissueSpeckleIsStableAndBloodSpeckleIsRedrawn) {
  ClipOptions o;
  o.seed = 77;
  o.difficulty = Difficulty::kEasy;
  o.fps = 50;
  o.num_frames = 2;
  auto gen = MakeGen(o);
  ASSERT_TRUE(gen);
  const Frame a = gen->Render(0), b = gen->Render(1);
  cv::Mat blood = (a.labels == kLvCavity) & (b.labels == kLvCavity);
  cv::erode(blood, blood, cv::Mat::ones(5, 5, CV_8U));
  // Background tissue well away from the heart (it barely moves).
  cv::Mat heart = (a.labels > 0) | (b.labels > 0);
  cv::dilate(heart, heart, cv::Mat::ones(25, 25, CV_8U));
  const cv::Mat tissue = (a.image > 0) & (b.image > 0) & ~heart;
  ASSERT_GT(cv::countNonZero(blood), 100);
  ASSERT_GT(cv::countNonZero(tissue), 100);
  EXPECT_GT(Correlation(a.image, b.image, tissue), 0.75);
  // Static contributions (gain pattern, near-field clutter, wall bleed) keep some correlation.
  EXPECT_LT(Correlation(a.image, b.image, blood), 0.45);
}

// EF of the per-frame volume curve stays within 2 points of the requested EF, and ED/ES
// indices sit at the curve's maxima/minima.
TEST(EchoGeneratorTest, VolumeCurveMatchesEfAndPhases) {
  for (uint64_t seed = 100; seed < 140; ++seed) {
    ClipOptions o;
    o.seed = seed;
    auto gen = MakeGen(o);
    ASSERT_TRUE(gen);
    const ClipInfo& info = gen->info();
    ASSERT_EQ(info.lv_volume_ml.size(), static_cast<size_t>(info.num_frames));
    ASSERT_FALSE(info.ed_frames.empty()) << seed;
    ASSERT_FALSE(info.es_frames.empty()) << seed;
    const auto [lo, hi] = std::minmax_element(info.lv_volume_ml.begin(), info.lv_volume_ml.end());
    const double ef = 100 * (*hi - *lo) / *hi;
    EXPECT_NEAR(ef, info.ejection_fraction_pct, 2.0) << "seed " << seed;
    EXPECT_GE(info.ejection_fraction_pct, 20);
    EXPECT_LE(info.ejection_fraction_pct, 75);
    const int half_cycle = static_cast<int>(0.5 * 60 / info.heart_rate_bpm * info.fps);
    const auto& v = info.lv_volume_ml;
    for (int ed : info.ed_frames) {
      for (int t = std::max(0, ed - half_cycle);
           t <= std::min(info.num_frames - 1, ed + half_cycle); ++t) {
        EXPECT_LE(v[t], v[ed]) << "seed " << seed << " ED " << ed << " t " << t;
      }
    }
    for (int es : info.es_frames) {
      for (int t = std::max(0, es - half_cycle);
           t <= std::min(info.num_frames - 1, es + half_cycle); ++t) {
        EXPECT_GE(v[t], v[es]) << "seed " << seed << " ES " << es << " t " << t;
      }
    }
  }
}

}  // namespace
}  // namespace botm::synth
