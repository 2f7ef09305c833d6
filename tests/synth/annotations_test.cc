// Burned-in scanner annotations (ClipOptions::annotations): outside the sector only, labels
// untouched, deterministic, the ECG sweeping with time.
#include "core/synth/annotations.h"

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "core/synth/echo_generator.h"
#include "tests/synth/make_clip.h"

namespace botm::synth {
namespace {

std::unique_ptr<EchoGenerator> MakeGen(uint64_t seed, Difficulty bin, int size, bool annotations) {
  ClipOptions o;
  o.seed = seed;
  o.difficulty = bin;
  o.width = o.height = size;
  o.annotations = annotations;
  return MakeClip(o);
}

TEST(AnnotationsTest, MarksLieOutsideTheSectorAndLeaveLabelsAlone) {
  int annotated_frames = 0;
  for (Difficulty bin : {Difficulty::kNormal, Difficulty::kRandomized, Difficulty::kPaddedSector,
                         Difficulty::kRealLike}) {
    for (uint64_t seed = 1; seed <= 4; ++seed) {
      SCOPED_TRACE(testing::Message() << DifficultyName(bin) << " seed " << seed);
      auto clean = MakeGen(seed, bin, 256, false);
      auto marked = MakeGen(seed, bin, 256, true);
      ASSERT_TRUE(clean && marked);
      EXPECT_TRUE(marked->info().annotations);
      // The clip itself is the same: annotations draw from a random stream of their own.
      EXPECT_EQ(clean->info().num_frames, marked->info().num_frames);
      EXPECT_EQ(clean->info().ed_frames, marked->info().ed_frames);
      const cv::Mat& sector = clean->info().sector_mask;
      for (int t : {0, clean->info().num_frames - 1}) {
        const Frame a = clean->Render(t), b = marked->Render(t);
        EXPECT_EQ(cv::countNonZero(a.labels != b.labels), 0);
        const cv::Mat changed = a.image != b.image;
        EXPECT_EQ(cv::countNonZero(changed & sector), 0) << "an annotation inside the sector";
        // Text alone puts a few hundred pixels on a 256 x 256 frame.
        EXPECT_GT(cv::countNonZero(changed), 100);
        ++annotated_frames;
        // Deterministic: the same frame again, from a second generator.
        EXPECT_EQ(cv::countNonZero(MakeGen(seed, bin, 256, true)->Render(t).image != b.image), 0);
      }
    }
  }
  EXPECT_EQ(annotated_frames, 32);
}

// The ECG trace sweeps: two frames a few tenths of a second apart differ outside the sector in
// the trace's rows, and only there when the rest of the layout is static.
TEST(AnnotationsTest, EcgSweepsWithTime) {
  int sweeping = 0;
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    auto gen = MakeGen(seed, Difficulty::kPaddedSector, 256, true);
    ASSERT_TRUE(gen);
    Rng rng = Rng(seed).Fork(8);
    const ClipInfo& info = gen->info();
    const AnnotationLayout layout = SampleAnnotations(
        rng, info.sector_mask, info.depth_cm, info.spacing_mm_y, info.fps, info.heart_rate_bpm);
    cv::Mat a(256, 256, CV_8UC1, cv::Scalar(0)), b = a.clone();
    DrawAnnotations(layout, 0, info.fps, &a);
    DrawAnnotations(layout, static_cast<int>(0.4 * info.fps), info.fps, &b);
    const cv::Mat moved = a != b;
    if (!layout.ecg) {
      EXPECT_EQ(cv::countNonZero(moved), 0) << "seed " << seed;
      continue;
    }
    ++sweeping;
    EXPECT_GT(cv::countNonZero(moved), 0) << "seed " << seed;
    const int top = layout.ecg_baseline_y - 2 * layout.ecg_amplitude_px - layout.ecg_thickness;
    EXPECT_EQ(cv::countNonZero(moved(cv::Rect(0, 0, 256, std::max(0, top)))), 0)
        << "seed " << seed << ": something other than the trace moved";
  }
  EXPECT_GT(sweeping, 0);  // the seeds above draw at least one ECG
}

}  // namespace
}  // namespace botm::synth
