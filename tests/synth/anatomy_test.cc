// Ground-truth masks against the anatomy they claim, across views and difficulty bins.
#include <cmath>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "core/synth/anatomy.h"
#include "core/synth/cardiac_cycle.h"
#include "core/synth/echo_generator.h"

namespace botm::synth {
namespace {

int Components(const cv::Mat& labels, int cls) {
  cv::Mat cc;
  return cv::connectedComponents(labels == cls, cc, 8) - 1;
}

struct Contacts {
  int lv_boundary = 0, lv_bg = 0, lv_myo = 0, lv_la = 0;
};

// Counts what the LV cavity's 4-neighbours are.
Contacts LvContacts(const cv::Mat& labels) {
  Contacts c;
  for (int v = 1; v + 1 < labels.rows; ++v) {
    for (int u = 1; u + 1 < labels.cols; ++u) {
      if (labels.at<uint8_t>(v, u) != kLvCavity) continue;
      const uint8_t n[4] = {labels.at<uint8_t>(v - 1, u), labels.at<uint8_t>(v + 1, u),
                            labels.at<uint8_t>(v, u - 1), labels.at<uint8_t>(v, u + 1)};
      bool boundary = false;
      for (uint8_t l : n) {
        if (l == kLvCavity) continue;
        boundary = true;
        c.lv_bg += l == kBackground;
        c.lv_myo += l == kLvMyocardium;
        c.lv_la += l == kLeftAtrium;
      }
      c.lv_boundary += boundary;
    }
  }
  return c;
}

TEST(AnatomyTest, MasksFormOneComponentPerClassAndMyocardiumSurroundsCavity) {
  for (int d = 0; d < kNumDifficulties; ++d) {
    for (uint64_t seed = 1; seed <= 6; ++seed) {
      ClipOptions o;
      o.seed = seed * 31 + d;
      o.difficulty = static_cast<Difficulty>(d);
      o.view = seed % 2 ? View::kTwoChamber : View::kFourChamber;
      auto gen = EchoGenerator::Create(o);
      ASSERT_TRUE(gen.ok()) << gen.status();
      const ClipInfo& info = (*gen)->info();
      for (int t : {info.ed_frames.front(), info.es_frames.front()}) {
        const Frame f = (*gen)->Render(t);
        SCOPED_TRACE(testing::Message() << "bin " << d << " seed " << o.seed << " frame " << t);
        for (int cls = 1; cls <= 3; ++cls) EXPECT_EQ(Components(f.labels, cls), 1) << cls;
        const Contacts c = LvContacts(f.labels);
        EXPECT_GT(c.lv_myo, 0);
        EXPECT_GT(c.lv_la, 0);                         // the mitral plane
        EXPECT_LT(c.lv_bg, 0.03 * c.lv_boundary + 2);  // nowhere else does the cavity show
        double max_label = 0;
        cv::minMaxLoc(f.labels, nullptr, &max_label);
        EXPECT_LE(max_label, 3);
      }
    }
  }
}

// Blood is not black and the myocardium is brighter than the cavity (MODEL.md's realism).
TEST(AnatomyTest, CavityIsDarkerThanMyocardiumButNotBlack) {
  double lv_sum = 0, myo_sum = 0;
  const int n = 12;
  for (int i = 0; i < n; ++i) {
    ClipOptions o;
    o.seed = 700 + i;
    auto gen = EchoGenerator::Create(o);
    ASSERT_TRUE(gen.ok());
    const Frame f = (*gen)->Render((*gen)->info().ed_frames.front());
    lv_sum += cv::mean(f.image, f.labels == kLvCavity)[0];
    myo_sum += cv::mean(f.image, f.labels == kLvMyocardium)[0];
  }
  EXPECT_GT(lv_sum / n, 35);
  EXPECT_LT(lv_sum / n, 95);
  EXPECT_GT(myo_sum / n, 1.2 * lv_sum / n);
}

TEST(AnatomyTest, LowFrameRateBinUsesLowFps) {
  for (uint64_t seed = 1; seed < 20; ++seed) {
    ClipOptions o;
    o.seed = seed;
    o.difficulty = Difficulty::kLowFrameRate;
    auto gen = EchoGenerator::Create(o);
    ASSERT_TRUE(gen.ok());
    EXPECT_GE((*gen)->info().fps, 18);
    EXPECT_LE((*gen)->info().fps, 25);
  }
}

TEST(CardiacCycleTest, VolumeCurveHasEfAndPhysiologicalShape) {
  const CycleShape c = MakeCycleShape(0.55, 75, 0.3);
  double lo = 2, hi = -1, lo_phase = -1;
  for (int i = 0; i < 2000; ++i) {
    const double p = i / 2000.0, v = VolumeFraction(c, p);
    if (v < lo) lo = v, lo_phase = p;
    hi = std::max(hi, v);
  }
  EXPECT_NEAR(hi, 1.0, 1e-9);
  EXPECT_NEAR(lo, 0.45, 1e-3);
  EXPECT_NEAR(lo_phase, c.systole_fraction, 1e-3);
  // Ejection is monotone; the valve is closed in systole and open in early filling.
  for (double p = 0.01; p < c.systole_fraction; p += 0.01) {
    EXPECT_LT(VolumeFraction(c, p), VolumeFraction(c, p - 0.01));
  }
  EXPECT_EQ(MitralOpening(c, 0.1), 0.0);
  EXPECT_GT(MitralOpening(c, c.systole_fraction + c.ivr_fraction + 0.08), 0.8);
}

TEST(CardiacCycleTest, MyocardialAreaIsConstantAndWallThickensInSystole) {
  Rng rng(5);
  const AnatomyParams p = SampleAnatomy(rng, true, 15, 0.7, Difficulty::kNormal);
  const HeartState ed = PoseHeart(p, 1.0, 0), es = PoseHeart(p, 0.45, 0);
  const auto myo_area = [&](const HeartState& h) {
    return TruncatedEllipseArea(h.a_e, h.b_e, h.a * p.trunc_z / h.a_e) -
           TruncatedEllipseArea(h.a, h.b, p.trunc_z);
  };
  EXPECT_NEAR(myo_area(ed), p.myo_area_cm2, 1e-3 * p.myo_area_cm2);
  EXPECT_NEAR(myo_area(es), p.myo_area_cm2, 1e-3 * p.myo_area_cm2);
  EXPECT_GT(es.b_e - es.b, ed.b_e - ed.b);
  EXPECT_LT(es.s_mv, ed.s_mv);  // the annulus moves toward the apex
  EXPECT_NEAR(LvVolumeMl(p, 0.45), 0.45 * LvVolumeMl(p, 1.0), 1e-9);
}

}  // namespace
}  // namespace botm::synth
