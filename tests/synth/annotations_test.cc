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

// Marks touching the sector (ClipOptions::annotations_touching): the same layout but for the
// gap; with the gap nothing is drawn within 2 % of the width of the sector, without it the
// depth ticks abut the sector's edge; the sector's pixels stay those of the clean clip.
TEST(AnnotationsTest, TouchingMarksAbutTheSector) {
  int touching_clips = 0;
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    SCOPED_TRACE(testing::Message() << "seed " << seed);
    ClipOptions o;
    o.seed = seed;
    o.difficulty = Difficulty::kPaddedSector;
    o.width = o.height = 256;
    auto clean = MakeClip(o);
    o.annotations = true;
    auto gapped = MakeClip(o);
    o.annotations_touching = true;
    auto touching = MakeClip(o);
    ASSERT_TRUE(clean && gapped && touching);
    EXPECT_TRUE(touching->info().annotations_touching);
    EXPECT_FALSE(gapped->info().annotations_touching);
    const ClipInfo& info = clean->info();
    Rng r1 = Rng(seed).Fork(8), r2 = Rng(seed).Fork(8);
    const AnnotationLayout a = SampleAnnotations(r1, info.sector_mask, info.depth_cm,
                                                 info.spacing_mm_y, info.fps, info.heart_rate_bpm);
    const AnnotationLayout b =
        SampleAnnotations(r2, info.sector_mask, info.depth_cm, info.spacing_mm_y, info.fps,
                          info.heart_rate_bpm, true);
    EXPECT_EQ(cv::countNonZero(info.sector_mask != touching->info().sector_mask), 0)
        << "sampling a layout leaves the clip's sector mask alone";
    ASSERT_EQ(a.texts.size(), b.texts.size());
    for (size_t i = 0; i < a.texts.size(); ++i) EXPECT_EQ(a.texts[i].text, b.texts[i].text);
    EXPECT_LE(a.ticks.size(), b.ticks.size()) << "without the gap more ticks fit";
    EXPECT_EQ(a.marker, b.marker);
    EXPECT_EQ(a.ecg, b.ecg);
    const cv::Mat& sector = info.sector_mask;
    cv::Mat ring1, ring5;
    cv::dilate(sector, ring1, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(3, 3)));
    cv::dilate(sector, ring5, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(9, 9)));
    ring1 &= ~sector;
    ring5 &= ~sector;  // within 4 px (< 2 % of 256) of the sector
    const Frame c = clean->Render(0), g = gapped->Render(0), t = touching->Render(0);
    EXPECT_EQ(cv::countNonZero(cv::Mat(c.image != t.image) & sector), 0);
    EXPECT_EQ(cv::countNonZero(cv::Mat(c.image != g.image) & ring5), 0) << "the gap is kept";
    if (!b.ticks.empty()) {
      EXPECT_GT(cv::countNonZero(cv::Mat(c.image != t.image) & ring1), 0) << "ticks abut";
      ++touching_clips;
    }
  }
  EXPECT_GT(touching_clips, 2);
  ClipOptions bad;
  bad.annotations_touching = true;
  EXPECT_EQ(EchoGenerator::Create(bad).status().code(), absl::StatusCode::kInvalidArgument);
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

// Colour exports (ClipOptions::colour): BGR frames, labels and clip unchanged; outside the
// sector only the coloured marks differ from the grey frame; inside it the tint (if any) keeps
// the brightness order and the ECG crosses the far field; deterministic.
TEST(AnnotationsTest, ColourExportColoursTheMarksAndTintsTheSector) {
  int clips = 0, tinted = 0, marks_in_sector = 0, calipers = 0;
  for (Difficulty bin : {Difficulty::kNormal, Difficulty::kPaddedSector, Difficulty::kRealLike}) {
    for (uint64_t seed = 1; seed <= 4; ++seed) {
      SCOPED_TRACE(testing::Message() << DifficultyName(bin) << " seed " << seed);
      ClipOptions o;
      o.seed = seed;
      o.difficulty = bin;
      o.width = o.height = 256;
      auto grey = MakeClip(o);
      o.colour = true;
      auto colour = MakeClip(o);
      ASSERT_TRUE(grey && colour);
      EXPECT_TRUE(colour->info().colour);
      EXPECT_EQ(grey->info().num_frames, colour->info().num_frames);
      EXPECT_EQ(grey->info().es_frames, colour->info().es_frames);
      Rng rng = Rng(seed).Fork(9);
      const ColourExport layout =
          SampleColourExport(rng, colour->info().sector_mask, colour->info().heart_rate_bpm);
      const bool tint = layout.tint != cv::Vec3f(1.0f, 1.0f, 1.0f);
      tinted += tint;
      calipers += layout.caliper_arm_px > 0;
      const cv::Mat& sector = grey->info().sector_mask;
      const int t = grey->info().num_frames / 2;
      const Frame a = grey->Render(t), b = colour->Render(t);
      ASSERT_EQ(b.image.type(), CV_8UC3);
      EXPECT_EQ(cv::countNonZero(a.labels != b.labels), 0);
      cv::Mat a3;
      cv::cvtColor(a.image, a3, cv::COLOR_GRAY2BGR);
      std::vector<cv::Mat> ch;
      cv::split(b.image, ch);
      cv::Mat hi, lo, chroma;
      cv::max(ch[0], ch[1], hi), cv::max(hi, ch[2], hi);
      cv::min(ch[0], ch[1], lo), cv::min(lo, ch[2], lo);
      cv::subtract(hi, lo, chroma);
      const cv::Mat saturated = chroma > 150;  // a mark's colour (>= 178), not a tint's (<= 128)
      cv::Mat changed;
      cv::reduce(cv::Mat(a3 != b.image).reshape(1, a3.rows * a3.cols), changed, 1, cv::REDUCE_MAX);
      changed = changed.reshape(1, a3.rows);
      EXPECT_EQ(cv::countNonZero(changed & ~sector & ~saturated), 0)
          << "outside the sector only the marks may change";
      EXPECT_GT(cv::countNonZero(saturated & ~sector), 0) << "the ECG runs beyond the sector";
      marks_in_sector += cv::countNonZero(saturated & sector) > 0;
      if (tint) {
        // Inside the sector, away from the marks: each channel is the grey value times the
        // tint, so the luminance order of the grey frame is kept.
        for (int y = 0; y < sector.rows; y += 7) {
          for (int x = 0; x < sector.cols; x += 7) {
            if (sector.at<uint8_t>(y, x) == 0 || saturated.at<uint8_t>(y, x) != 0) continue;
            const int v = a.image.at<uint8_t>(y, x);
            const cv::Vec3b p = b.image.at<cv::Vec3b>(y, x);
            for (int k = 0; k < 3; ++k) {
              EXPECT_NEAR(p[k], v * layout.tint[k], 0.51);
            }
          }
        }
      } else {
        EXPECT_EQ(cv::countNonZero(changed & ~saturated), 0) << "grey B-mode is kept as grey";
      }
      EXPECT_EQ(cv::norm(colour->Render(t).image, b.image, cv::NORM_INF), 0);
      EXPECT_EQ(cv::norm(MakeClip(o)->Render(t).image, b.image, cv::NORM_INF), 0);
      ++clips;
    }
  }
  EXPECT_EQ(clips, 12);
  EXPECT_GT(tinted, 0);
  EXPECT_LT(tinted, clips);
  EXPECT_GT(calipers, 0);
  EXPECT_GT(marks_in_sector, clips / 2) << "the marks cross the image itself";
}

}  // namespace
}  // namespace botm::synth
