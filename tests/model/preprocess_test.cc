// The input policy (crop to the sector, rank normalisation) on synthetic echo frames.
#include "core/model/internal/preprocess.h"

#include <cstdio>
#include <memory>
#include <vector>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "core/synth/annotations.h"
#include "core/synth/echo_generator.h"
#include "tests/synth/make_clip.h"

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

// The box criterion before FindSectorRegion existed (rows and columns with max(2, 2 %) bright
// pixels over the whole frame): a frame without burned-in marks must keep this box, and its
// prepared input its bits, so the committed reports and the shipped model's behaviour stay.
cv::Rect LegacyBox(const cv::Mat& gray01) {
  std::vector<int> rows(gray01.rows, 0), cols(gray01.cols, 0);
  for (int y = 0; y < gray01.rows; ++y) {
    for (int x = 0; x < gray01.cols; ++x) {
      if (gray01.at<float>(y, x) > kSectorThreshold) ++rows[y], ++cols[x];
    }
  }
  auto span = [](const std::vector<int>& c, int need) {
    int first = -1, last = -1;
    for (int i = 0; i < static_cast<int>(c.size()); ++i) {
      if (c[i] >= need) {
        if (first < 0) first = i;
        last = i;
      }
    }
    return std::make_pair(first, last);
  };
  const auto [x0, x1] = span(cols, std::max(2, gray01.rows / 50));
  const auto [y0, y1] = span(rows, std::max(2, gray01.cols / 50));
  const cv::Rect whole(0, 0, gray01.cols, gray01.rows);
  if (x0 < 0 || y0 < 0) return whole;
  const cv::Rect box(x0, y0, x1 - x0 + 1, y1 - y0 + 1);
  if (box.width * 4 < gray01.cols || box.height * 4 < gray01.rows) return whole;
  return box;
}

std::unique_ptr<synth::EchoGenerator> Gen(uint64_t seed, synth::Difficulty bin, int size,
                                          bool annotations = false, bool colour = false) {
  synth::ClipOptions o;
  o.seed = seed;
  o.difficulty = bin;
  o.width = o.height = size;
  o.annotations = annotations;
  o.colour = colour;
  return synth::MakeClip(o);
}

// Every bin, the sizes the evaluation renders (192 standard, 384 randomised family) and a
// 112x112 export of the latter: box and input as before, to the bit.
TEST(PreprocessTest, FramesWithoutMarksKeepTheirBoxAndInputBits) {
  InputPolicy policy;
  policy.size = 96;
  policy.crop_sector = policy.rank_norm = true;
  int frames = 0;
  for (int b = 0; b < synth::kNumDifficulties; ++b) {
    const auto bin = static_cast<synth::Difficulty>(b);
    const int size = synth::IsRandomizedFamily(bin) ? 384 : 192;
    for (uint64_t seed : {synth::HeldOutSeed(bin, 0), synth::HeldOutSeed(bin, 1)}) {
      auto gen = Gen(seed, bin, size);
      ASSERT_TRUE(gen);
      for (int t : {0, gen->info().es_frames.front()}) {
        cv::Mat full = ToFloat(gen->Render(t).image), exported;
        cv::resize(full, exported, cv::Size(112, 112), 0, 0, cv::INTER_AREA);
        exported.convertTo(exported, CV_8UC1, 255.0);
        exported.convertTo(exported, CV_32FC1, 1.0 / 255.0);
        for (const cv::Mat& frame : {full, exported}) {
          SCOPED_TRACE(testing::Message() << synth::DifficultyName(bin) << " seed " << seed << " t "
                                          << t << " size " << frame.cols);
          const SectorRegion region = FindSectorRegion(frame);
          EXPECT_EQ(region.box, LegacyBox(frame));
          EXPECT_TRUE(region.region.empty()) << "a clean frame had pixels outside its region";
          const PreparedInput now = PrepareGray01(frame, policy);
          cv::Mat before = frame(LegacyBox(frame)).clone();
          cv::resize(before, before, cv::Size(96, 96), 0, 0,
                     before.rows * before.cols > 96 * 96 ? cv::INTER_AREA : cv::INTER_LINEAR);
          RankNormalize(&before);
          EXPECT_EQ(cv::norm(now.input, before, cv::NORM_INF), 0.0);
          ++frames;
        }
      }
    }
  }
  EXPECT_EQ(frames, synth::kNumDifficulties * 8);
}

// With text, a grey bar, ticks, a marker and an ECG burned in around the sector, the region
// finder returns the clean frame's box within two pixels and the input loses the marks; the
// criterion used before, over the whole frame, is pulled out to the marks.
TEST(PreprocessTest, BurnedInMarksAreLeftOutOfTheSector) {
  InputPolicy policy;
  policy.size = 128;
  policy.crop_sector = policy.rank_norm = true;
  int frames = 0, legacy_moved = 0;
  for (synth::Difficulty bin : {synth::Difficulty::kNormal, synth::Difficulty::kRandomized,
                                synth::Difficulty::kPaddedSector, synth::Difficulty::kRealLike}) {
    for (uint64_t seed = 1; seed <= 6; ++seed) {
      for (int size : {192, 384}) {
        SCOPED_TRACE(testing::Message()
                     << synth::DifficultyName(bin) << " seed " << seed << " size " << size);
        auto clean = Gen(seed, bin, size), marked = Gen(seed, bin, size, true);
        ASSERT_TRUE(clean && marked);
        const cv::Mat a = ToFloat(clean->Render(0).image), b = ToFloat(marked->Render(0).image);
        const cv::Rect want = FindSectorBox(a), got = FindSectorBox(b);
        EXPECT_LE(std::abs(got.x - want.x), 2);
        EXPECT_LE(std::abs(got.y - want.y), 2);
        EXPECT_LE(std::abs(got.br().x - want.br().x), 2);
        EXPECT_LE(std::abs(got.br().y - want.br().y), 2);
        const cv::Rect legacy = LegacyBox(b);
        if (std::abs(legacy.x - want.x) > 2 || std::abs(legacy.y - want.y) > 2 ||
            std::abs(legacy.br().x - want.br().x) > 2 ||
            std::abs(legacy.br().y - want.br().y) > 2) {
          ++legacy_moved;
        }
        // The input: the marks gone, but for ticks or text inside the region's margin.
        const PreparedInput pa = PrepareGray01(a, policy), pb = PrepareGray01(b, policy);
        if (pa.crop == pb.crop) {
          cv::Mat diff;
          cv::absdiff(pa.input, pb.input, diff);
          EXPECT_LT(cv::countNonZero(diff > 0.05), 0.01 * 128 * 128);
        }
        ++frames;
      }
    }
  }
  EXPECT_EQ(frames, 48);
  // Measured when this test was written: the old criterion moved the box in most frames.
  EXPECT_GT(legacy_moved, frames / 2);
}

// A grey frame stored as BGR, BGRA or 16-bit BGR (how many exports carry grey B-mode) is its
// grey frame to the bit: no pixel is taken for an overlay.
TEST(PreprocessTest, GreyFramesStoredInColourKeepTheirBits) {
  for (synth::Difficulty bin : {synth::Difficulty::kNormal, synth::Difficulty::kPaddedSector,
                                synth::Difficulty::kRealLike}) {
    auto gen = Gen(2, bin, 192, /*annotations=*/true);
    ASSERT_TRUE(gen);
    const cv::Mat gray8 = gen->Render(0).image;
    cv::Mat gray16, bgr, bgra, bgr16;
    gray8.convertTo(gray16, CV_16U, 257.0);
    cv::cvtColor(gray8, bgr, cv::COLOR_GRAY2BGR);
    cv::cvtColor(gray8, bgra, cv::COLOR_GRAY2BGRA);
    cv::cvtColor(gray16, bgr16, cv::COLOR_GRAY2BGR);
    EXPECT_TRUE(ColourOverlays(bgr, gray8).empty());
    for (const auto& [m, grey] : {std::pair{bgr, gray8}, {bgra, gray8}, {bgr16, gray16}}) {
      absl::StatusOr<cv::Mat> want = ToGray01(grey), got = ToGray01(m);
      ASSERT_TRUE(want.ok() && got.ok());
      EXPECT_EQ(cv::countNonZero(*got != *want), 0)
          << m.channels() << " channels, depth " << m.depth();
    }
  }
}

// A tinted display map (sepia, bronze, blue) colours every echo pixel, one colour per
// brightness: nothing of it is an overlay, and the input keeps the grey frame's box.
TEST(PreprocessTest, TintedBModeIsNotAnOverlay) {
  InputPolicy policy;
  policy.size = 128;
  policy.crop_sector = policy.rank_norm = true;
  for (const cv::Vec3f& tint : {cv::Vec3f(0.6f, 0.85f, 1.0f), cv::Vec3f(1.0f, 0.8f, 0.55f)}) {
    for (uint64_t seed = 1; seed <= 4; ++seed) {
      auto gen = Gen(seed, synth::Difficulty::kRandomized, 384);
      ASSERT_TRUE(gen);
      const cv::Mat gray8 = gen->Render(0).image;
      synth::ColourExport only_tint;  // no ECG (no sweep), no calipers
      only_tint.tint = tint;
      cv::Mat tinted = gray8.clone();
      synth::DrawColourExport(only_tint, gen->info().sector_mask, 0, 30.0, &tinted);
      ASSERT_EQ(tinted.channels(), 3);
      cv::Mat luma;
      cv::cvtColor(tinted, luma, cv::COLOR_BGR2GRAY);
      const cv::Mat overlays = ColourOverlays(tinted, luma);
      ASSERT_FALSE(overlays.empty()) << "a tint is colour: the map must be looked at";
      EXPECT_EQ(cv::countNonZero(overlays), 0) << "seed " << seed << " tint " << tint;
      absl::StatusOr<PreparedInput> got = PrepareFrame(tinted, policy);
      ASSERT_TRUE(got.ok());
      const cv::Rect want = PrepareGray01(ToFloat(gray8), policy).crop;
      EXPECT_LE(std::abs(got->crop.x - want.x), 2) << got->crop << " vs " << want;
      EXPECT_LE(std::abs(got->crop.y - want.y), 2) << got->crop << " vs " << want;
      EXPECT_LE(std::abs(got->crop.br().x - want.br().x), 2) << got->crop << " vs " << want;
      EXPECT_LE(std::abs(got->crop.br().y - want.br().y), 2) << got->crop << " vs " << want;
    }
  }
}

// Colour exports (ClipOptions::colour: tinted or grey B-mode, a coloured ECG across the sector's
// far field and beyond it, coloured calipers inside): the input policy leaves the colour out, so
// the box is the grey frame's and the input close to it. Plain luminance (the policy before)
// takes the ECG for part of the sector and widens the box.
TEST(PreprocessTest, ColourOverlaysAreLeftOut) {
  InputPolicy policy;
  policy.size = 128;
  policy.crop_sector = policy.rank_norm = true;
  int frames = 0, luminance_moved = 0, overlay_frames = 0;
  double mean_diff = 0, luminance_mean_diff = 0;
  for (synth::Difficulty bin : {synth::Difficulty::kNormal, synth::Difficulty::kRandomized,
                                synth::Difficulty::kPaddedSector, synth::Difficulty::kRealLike}) {
    for (uint64_t seed = 1; seed <= 6; ++seed) {
      SCOPED_TRACE(testing::Message() << synth::DifficultyName(bin) << " seed " << seed);
      auto grey = Gen(seed, bin, 384), colour = Gen(seed, bin, 384, false, /*colour=*/true);
      ASSERT_TRUE(grey && colour);
      ASSERT_TRUE(colour->info().colour);
      const int t = colour->info().num_frames / 2;
      const cv::Mat g = grey->Render(t).image, c = colour->Render(t).image;
      ASSERT_EQ(c.type(), CV_8UC3);
      cv::Mat luma;
      cv::cvtColor(c, luma, cv::COLOR_BGR2GRAY);
      const cv::Mat overlays = ColourOverlays(c, luma);
      if (!overlays.empty() && cv::countNonZero(overlays) > 0) ++overlay_frames;
      const PreparedInput want = PrepareGray01(ToFloat(g), policy);
      absl::StatusOr<PreparedInput> got = PrepareFrame(c, policy);
      ASSERT_TRUE(got.ok());
      // Within 3 px of 384: a tint moves the darkest sector pixels across the black threshold.
      EXPECT_LE(std::abs(got->crop.x - want.crop.x), 3) << got->crop << " vs " << want.crop;
      EXPECT_LE(std::abs(got->crop.y - want.crop.y), 3) << got->crop << " vs " << want.crop;
      EXPECT_LE(std::abs(got->crop.br().x - want.crop.br().x), 3)
          << got->crop << " vs " << want.crop;
      EXPECT_LE(std::abs(got->crop.br().y - want.crop.br().y), 3)
          << got->crop << " vs " << want.crop;
      const PreparedInput plain = PrepareGray01(ToFloat(luma), policy);
      if (std::abs(plain.crop.x - want.crop.x) > 2 || std::abs(plain.crop.y - want.crop.y) > 2 ||
          std::abs(plain.crop.br().x - want.crop.br().x) > 2 ||
          std::abs(plain.crop.br().y - want.crop.br().y) > 2) {
        ++luminance_moved;
      }
      if (got->crop == want.crop && plain.crop == want.crop) {
        mean_diff += cv::mean(cv::abs(got->input - want.input))[0];
        luminance_mean_diff += cv::mean(cv::abs(plain.input - want.input))[0];
      }
      ++frames;
    }
  }
  EXPECT_EQ(frames, 24);
  EXPECT_EQ(overlay_frames, frames);  // every export carries an ECG at least
  // Measured when this test was written: plain luminance moved the box in most padded frames.
  EXPECT_GT(luminance_moved, 3);
  // Where both kept the box, the filled overlays are closer to the grey input than the colours.
  EXPECT_LT(mean_diff, 0.25 * luminance_mean_diff);  // measured 0.0044 vs 0.0344
  std::printf(
      "colour exports: luminance moved the box in %d of %d frames; mean |input - grey| "
      "%.4f (overlays out) vs %.4f (plain luminance)\n",
      luminance_moved, frames, mean_diff, luminance_mean_diff);
}

// Lossy (JPEG) exports ring around every edge: faint values fill the black around the marks
// and the sector's rim and once joined nearby marks (depth ticks, the grey bar, a colour ECG
// across the frame) to the sector, widening the box by up to 200 px at 384 (LV Dice 0.82 on
// annotated padded sectors at quality 90, 0.36 in colour). The region is now found again on
// the pixels above SectorCellLevel, so the box stays within a JPEG block plus the margin of
// the box on the same frame stored losslessly. Grey only: in colour exports the ringing
// around a coloured ECG is not coloured enough to be left out and still widens some boxes
// (not solved; docs/TRAINING.md, "Lossy exports").
TEST(PreprocessTest, LossyExportsKeepTheSectorBox) {
  int frames = 0, worst = 0;
  for (int quality : {90, 50}) {
    for (uint64_t seed = 1; seed <= 6; ++seed) {
      SCOPED_TRACE(testing::Message() << "quality " << quality << " seed " << seed);
      synth::ClipOptions o;
      o.seed = synth::HeldOutSeed(synth::Difficulty::kPaddedSector, seed);
      o.difficulty = synth::Difficulty::kPaddedSector;
      o.width = o.height = 384;
      o.annotations = true;
      auto lossless = synth::MakeClip(o);
      o.jpeg_quality = quality;
      auto lossy = synth::MakeClip(o);
      ASSERT_TRUE(lossless && lossy);
      for (int t : {0, lossless->info().num_frames / 2}) {
        auto a = ToGray01(lossless->Render(t).image), b = ToGray01(lossy->Render(t).image);
        ASSERT_TRUE(a.ok() && b.ok());
        const cv::Rect want = FindSectorBox(*a), got = FindSectorBox(*b);
        const int off =
            std::max({std::abs(got.x - want.x), std::abs(got.y - want.y),
                      std::abs(got.br().x - want.br().x), std::abs(got.br().y - want.br().y)});
        worst = std::max(worst, off);
        EXPECT_LE(off, 24) << "box " << got << " vs " << want;
        ++frames;
      }
    }
  }
  EXPECT_EQ(frames, 24);
  std::printf("grey lossy exports: the box moved by at most %d px at 384\n", worst);
}

}  // namespace
}  // namespace botm::internal
