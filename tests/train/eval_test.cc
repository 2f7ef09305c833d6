#include "core/train/evaluator.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "core/model/model_card.h"
#include "core/model/model_factory.h"
#include "core/synth/echo_generator.h"
#include "core/train/eval_stats.h"
#include "core/train/plots.h"
#include "tests/train/test_files.h"

namespace botm::train {
namespace {

// A small untrained model and options for a fast synthetic evaluation at 64 px.
class EvalFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("botm_evalfx_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    ModelConfig config;
    config.input_size = 64;
    pt_ = (dir_ / "m.pt").string();
    ASSERT_TRUE(CreateInitialCheckpoint(config, 7, pt_).ok());
    o_.model_path = pt_;
    o_.bins = {synth::Difficulty::kNormal};
    o_.clips_per_bin = 1;
    o_.size_px = 64;
    o_.max_frames = 6;
    o_.threads = 1;
    o_.progress = false;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // The generator of the one clip o_ evaluates (held-out normal seed 0 at 64 px).
  static absl::StatusOr<std::unique_ptr<synth::EchoGenerator>> EvaluatedClip() {
    synth::ClipOptions co;
    co.seed = synth::HeldOutSeed(synth::Difficulty::kNormal, 0);
    co.width = co.height = 64;
    co.difficulty = synth::Difficulty::kNormal;
    return synth::EchoGenerator::Create(co);
  }

  std::filesystem::path dir_;
  std::string pt_;
  EvalOptions o_;
};

TEST_F(EvalFixture, SmokeReportHasEveryKeyAndFiles) {
  EvalOptions o = o_;
  o.max_frames = 5;
  o.out_dir = (dir_ / "report").string();
  auto report = Evaluate(o);
  ASSERT_TRUE(report.ok()) << report.status();
  const nlohmann::json& b = (*report)["bins"]["normal"];
  EXPECT_EQ(b["clips"], 1);
  EXPECT_EQ(b["frames"], 5);
  for (const char* c : {"lv_cavity", "lv_myocardium", "left_atrium"}) {
    EXPECT_TRUE(b["dice"].contains(c));
    EXPECT_TRUE(b["hd95_mm"].contains(c));
    EXPECT_TRUE(b["msd_mm"].contains(c));
  }
  EXPECT_TRUE(b["dice"]["lv_cavity"].is_number());
  EXPECT_TRUE(b["ef"].contains("mae_area_length_vs_true"));
  EXPECT_TRUE(b["ef"].contains("mae_discs_vs_gt_masks"));
  EXPECT_TRUE(b["temporal"]["flagged_fraction"].is_number());
  EXPECT_TRUE(b["temporal"]["flicker"].is_number());
  EXPECT_GT(b["ms_per_frame"].get<double>(), 0.0);
  EXPECT_EQ((*report)["model"]["cross_frame"], true);
  EXPECT_TRUE(std::filesystem::exists(dir_ / "report" / "report.json"));
  EXPECT_TRUE(std::filesystem::exists(dir_ / "report" / "report.md"));
  EXPECT_TRUE(std::filesystem::exists(dir_ / "report" / "normal_0_lv_area.png"));
  EXPECT_TRUE(std::filesystem::exists(dir_ / "report" / "matching_normal_0.png"));
  EXPECT_NE(MarkdownReport(*report).find("| normal | 1 | 5 |"), std::string::npos);
}

TEST_F(EvalFixture, SameInputsReproduceTheReportExactly) {
  auto a = Evaluate(o_);
  auto b = Evaluate(o_);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(CompareReports(*a, *b, 0.0).ok()) << CompareReports(*a, *b, 0.0);
}

TEST_F(EvalFixture, CompareReportsNamesEveryDifference) {
  auto a = Evaluate(o_);
  ASSERT_TRUE(a.ok()) << a.status();
  nlohmann::json changed = *a;
  changed["bins"]["normal"]["dice"]["lv_cavity"] =
      (*a)["bins"]["normal"]["dice"]["lv_cavity"].get<double>() + 0.01;
  changed["bins"]["normal"]["ms_per_frame"] = 1e9;  // timings are not compared
  absl::Status s = CompareReports(*a, changed, 1e-3);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("1 metric(s)"), std::string::npos) << s;
  EXPECT_NE(s.message().find("bins.normal.dice.lv_cavity"), std::string::npos) << s;
  EXPECT_TRUE(CompareReports(*a, changed, 0.02).ok());  // within a looser tolerance
  nlohmann::json other_weights = *a;
  other_weights["model"]["weights_sha256"] = "00";
  s = CompareReports(*a, other_weights, 1.0);
  EXPECT_NE(s.message().find("weights_sha256"), std::string::npos) << s;
  nlohmann::json other_bin = *a;
  other_bin["bins"]["low_snr"] = other_bin["bins"]["normal"];
  EXPECT_EQ(CompareReports(*a, other_bin, 1.0).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CompareReports(*a, *a, -1.0).code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(EvalFixture, PairingOnlyMattersWithTheCrossFrameBlock) {
  ModelConfig single;
  single.input_size = 64;
  single.cross_frame = false;
  const std::string single_pt = (dir_ / "single.pt").string();
  ASSERT_TRUE(CreateInitialCheckpoint(single, 7, single_pt).ok());
  EvalOptions o = o_;
  o.model_path = single_pt;
  auto next = Evaluate(o);
  o.pairing = EvalPairing::kSelf;
  auto self = Evaluate(o);
  ASSERT_TRUE(next.ok() && self.ok());
  EXPECT_NE((*self)["pairing"].get<std::string>().find("self mode"), std::string::npos);
  // Same metrics, only the pairing description differs.
  (*self)["pairing"] = (*next)["pairing"];
  EXPECT_TRUE(CompareReports(*next, *self, 0.0).ok()) << CompareReports(*next, *self, 0.0);
  EXPECT_FALSE(ParseEvalPairing("sideways").ok());
  EXPECT_EQ(*ParseEvalPairing("previous"), EvalPairing::kPrevious);
}

// Live pairing with a partner offset: recorded in the report, a different result from adjacent
// pairing for a cross-frame model, refused with next pairing.
TEST_F(EvalFixture, PartnerOffsetIsRecordedAndOnlyForLivePairing) {
  EvalOptions o = o_;
  o.pairing = EvalPairing::kPrevious;
  auto adjacent = Evaluate(o);
  o.partner_offset = 4;
  auto far = Evaluate(o);
  ASSERT_TRUE(adjacent.ok() && far.ok());
  EXPECT_EQ((*adjacent)["partner_offset"], 1);  // the untrained card's default
  EXPECT_EQ((*far)["partner_offset"], 4);
  EXPECT_NE((*far)["pairing"].get<std::string>().find("t-4"), std::string::npos);
  (*far)["pairing"] = (*adjacent)["pairing"];
  EXPECT_FALSE(CompareReports(*adjacent, *far, 0.0).ok());  // the partner changes the output
  o.pairing = EvalPairing::kNext;
  auto refused = Evaluate(o);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("partner_offset"), std::string::npos);
}

// Live pairing in time: each clip's K comes from its own frame rate, so an interval that spans
// 4 frames of the evaluated clip gives exactly the report of --partner_offset=4; the report
// records the interval and the K range; refused with next pairing, with an offset, and out of
// range, naming the option.
TEST_F(EvalFixture, PartnerIntervalUsesEachClipsFrameRate) {
  auto gen = EvaluatedClip();
  ASSERT_TRUE(gen.ok());
  const double fps = (*gen)->info().fps;
  ASSERT_GT(fps, 0);
  EvalOptions o = o_;
  o.max_frames = 8;
  o.pairing = EvalPairing::kPrevious;
  o.partner_interval_ms = static_cast<int>(std::lround(4000.0 / fps));
  auto timed = Evaluate(o);
  ASSERT_TRUE(timed.ok()) << timed.status();
  EXPECT_EQ((*timed)["partner_interval_ms"], o.partner_interval_ms);
  EXPECT_EQ((*timed)["bins"]["normal"]["partner_offset_range"], nlohmann::json({4, 4}));
  EXPECT_NE((*timed)["pairing"].get<std::string>().find("ms earlier"), std::string::npos);
  EvalOptions frames = o;
  frames.partner_interval_ms = 0;
  frames.partner_offset = 4;
  auto fixed = Evaluate(frames);
  ASSERT_TRUE(fixed.ok());
  EXPECT_FALSE(fixed->contains("partner_interval_ms"));
  (*timed)["pairing"] = (*fixed)["pairing"];
  EXPECT_TRUE(CompareReports(*fixed, *timed, 0.0).ok()) << CompareReports(*fixed, *timed, 0.0);
  frames.partner_offset = 1;  // a different partner gives a different report
  auto adjacent = Evaluate(frames);
  ASSERT_TRUE(adjacent.ok());
  (*adjacent)["pairing"] = (*timed)["pairing"];
  EXPECT_FALSE(CompareReports(*adjacent, *timed, 0.0).ok());

  for (const auto& [bad, words] : std::vector<std::pair<EvalOptions, std::string>>{
           {[&] {
              EvalOptions b = o;
              b.partner_offset = 2;
              return b;
            }(),
            "not both"},
           {[&] {
              EvalOptions b = o;
              b.pairing = EvalPairing::kNext;
              return b;
            }(),
            "previous"},
           {[&] {
              EvalOptions b = o;
              b.partner_interval_ms = kMaxPartnerIntervalMs + 1;
              return b;
            }(),
            "partner_interval_ms must be in"}}) {
    auto refused = Evaluate(bad);
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument) << words;
    EXPECT_NE(refused.status().message().find(words), std::string::npos)
        << refused.status().message();
  }
}

TEST_F(EvalFixture, RejectsBadOptionsByName) {
  EvalOptions o = o_;
  o.clips_per_bin = 0;
  auto r = Evaluate(o);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("clips_per_bin"), std::string::npos);
  o = o_;
  o.batch_size = 0;
  EXPECT_NE(Evaluate(o).status().message().find("batch_size"), std::string::npos);
  o = o_;
  o.data = (dir_ / "no_such_folder").string();
  EXPECT_EQ(Evaluate(o).status().code(), absl::StatusCode::kNotFound);
}

TEST(DownsampleLabelsTest, MajorityVoteWithTiesToTheLowerClass) {
  // 4x4 -> 2x2: each output pixel is one 2x2 block.
  const uint8_t in[16] = {1, 1, 2, 2,  //
                          1, 0, 2, 3,  //
                          0, 0, 3, 3,  //
                          0, 3, 3, 1};
  cv::Mat labels(4, 4, CV_8UC1, const_cast<uint8_t*>(in));
  cv::Mat out = DownsampleLabels(labels, cv::Size(2, 2));
  ASSERT_EQ(out.size(), cv::Size(2, 2));
  EXPECT_EQ(out.at<uint8_t>(0, 0), 1);  // three 1s, one 0
  EXPECT_EQ(out.at<uint8_t>(0, 1), 2);  // three 2s
  EXPECT_EQ(out.at<uint8_t>(1, 0), 0);  // three 0s
  EXPECT_EQ(out.at<uint8_t>(1, 1), 3);  // four 3s minus one
  const uint8_t tie[4] = {2, 3, 3, 2};  // two 2s, two 3s: the lower class
  EXPECT_EQ(DownsampleLabels(cv::Mat(2, 2, CV_8UC1, const_cast<uint8_t*>(tie)), cv::Size(1, 1))
                .at<uint8_t>(0, 0),
            2);
}

TEST_F(EvalFixture, ExportedClipsAreScoredAtTheExportSize) {
  EvalOptions o = o_;
  o.size_px = 96;
  auto full = Evaluate(o);
  o.export_size_px = 48;
  auto exported = Evaluate(o);
  ASSERT_TRUE(full.ok() && exported.ok()) << exported.status();
  EXPECT_NE((*exported)["data"].get<std::string>().find("exported at 48 px"), std::string::npos);
  EXPECT_EQ((*full)["data"].get<std::string>().find("exported"), std::string::npos);
  // Same frames and clips; a different image reaches the model, so the metrics move.
  EXPECT_EQ((*exported)["bins"]["normal"]["frames"], (*full)["bins"]["normal"]["frames"]);
  EXPECT_FALSE(CompareReports(*full, *exported, 1e-9).ok());
  o.export_size_px = 8;
  EXPECT_NE(Evaluate(o).status().message().find("got 8"), std::string::npos);
  o.export_size_px = 112;
  o.data = (dir_ / "folder").string();
  EXPECT_NE(Evaluate(o).status().message().find("export_size applies to synthetic"),
            std::string::npos);
}

// The sampler revision of the held-out clips: named in the report's data (so --expect of a
// committed revision-1 report refuses a revision-2 run) and really re-drawing the thick-walled
// hearts (heavy_haze 5, a slit cavity under revision 1, is among these clips).
TEST_F(EvalFixture, AnatomyRevisionIsNamedAndRedrawsTheClips) {
  EvalOptions o = o_;
  o.bins = {synth::Difficulty::kHeavyHaze};
  o.clips_per_bin = 6;
  o.max_frames = 2;
  auto first = Evaluate(o);
  o.anatomy_revision = 2;
  auto second = Evaluate(o);
  ASSERT_TRUE(first.ok() && second.ok()) << second.status();
  EXPECT_EQ((*first)["data"].get<std::string>().find("anatomy revision"), std::string::npos);
  EXPECT_NE((*second)["data"].get<std::string>().find("anatomy revision 2"), std::string::npos);
  const absl::Status diff = CompareReports(*first, *second, 1e-9);
  EXPECT_EQ(diff.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(diff.message().find("data"), std::string::npos) << diff.message();
  o.anatomy_revision = 3;
  EXPECT_NE(Evaluate(o).status().message().find("anatomy_revision must be in [1, 2], got 3"),
            std::string::npos);
  o.anatomy_revision = 2;
  o.data = (dir_ / "folder").string();
  EXPECT_NE(Evaluate(o).status().message().find("anatomy_revision applies to synthetic"),
            std::string::npos);
}

// Two short padded-sector clips: enough to see what a data option does to a report.
EvalOptions TwoPaddedSectorClips(EvalOptions o) {
  o.bins = {synth::Difficulty::kPaddedSector};
  o.clips_per_bin = 2;
  o.max_frames = 2;
  return o;
}

// Burned-in annotations: named in the report's data (so --expect of a clean report refuses an
// annotated run) and refused for folders. That the marks are left out of the sector is checked
// by PreprocessTest.BurnedInMarksAreLeftOutOfTheSector and, with the shipped model, by
// scripts/test.sh reproduce_report against models/reports/botm-tiny-192-annotated.
TEST_F(EvalFixture, AnnotationsAreNamedAndRefusedForFolders) {
  EvalOptions o = TwoPaddedSectorClips(o_);
  auto clean = Evaluate(o);
  o.annotations = true;
  auto marked = Evaluate(o);
  ASSERT_TRUE(clean.ok() && marked.ok()) << marked.status();
  EXPECT_EQ((*clean)["data"].get<std::string>().find("annotations"), std::string::npos);
  EXPECT_NE((*marked)["data"].get<std::string>().find("burned-in annotations"), std::string::npos);
  const absl::Status diff = CompareReports(*clean, *marked, 1e-9);
  EXPECT_EQ(diff.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(diff.message().find("data"), std::string::npos) << diff.message();
  o.annotations_touching = true;
  auto touching = Evaluate(o);
  ASSERT_TRUE(touching.ok()) << touching.status();
  EXPECT_NE((*touching)["data"].get<std::string>().find("annotations touching the sector"),
            std::string::npos);
  o.data = (dir_ / "folder").string();
  EXPECT_NE(Evaluate(o).status().message().find("annotations applies to synthetic"),
            std::string::npos);
  o = TwoPaddedSectorClips(o_);
  o.annotations_touching = true;
  EXPECT_NE(Evaluate(o).status().message().find("annotations_touching needs annotations"),
            std::string::npos);
}

// Colour exports: named in the report's data, scored against the same truth (a different
// report), the plain-luminance comparison named too; refused for folders and without colour.
TEST_F(EvalFixture, ColourExportsAreNamedAndChecked) {
  EvalOptions o = TwoPaddedSectorClips(o_);
  auto grey = Evaluate(o);
  o.colour = true;
  auto colour = Evaluate(o);
  o.colour_as_luminance = true;
  auto luminance = Evaluate(o);
  ASSERT_TRUE(grey.ok() && colour.ok() && luminance.ok()) << colour.status();
  EXPECT_EQ((*grey)["data"].get<std::string>().find("colour"), std::string::npos);
  EXPECT_NE((*colour)["data"].get<std::string>().find("colour export, "), std::string::npos);
  EXPECT_NE((*luminance)["data"].get<std::string>().find("colour export (as plain luminance)"),
            std::string::npos);
  EXPECT_EQ(CompareReports(*grey, *colour, 1e-9).code(), absl::StatusCode::kFailedPrecondition);
  o.data = (dir_ / "folder").string();
  EXPECT_NE(Evaluate(o).status().message().find("colour applies to synthetic"), std::string::npos);
  o = o_;
  o.colour_as_luminance = true;
  EXPECT_NE(Evaluate(o).status().message().find("colour_as_luminance needs colour"),
            std::string::npos);
}

// Lossy (JPEG) exports: named in the report's data, the frames the model sees really changed
// (with the data strings made equal the metrics still differ), the quality range checked and
// refused for folders.
TEST_F(EvalFixture, JpegExportsAreNamedAndChecked) {
  EvalOptions o = TwoPaddedSectorClips(o_);
  auto lossless = Evaluate(o);
  o.jpeg_quality = 30;
  auto lossy = Evaluate(o);
  ASSERT_TRUE(lossless.ok() && lossy.ok()) << lossy.status();
  EXPECT_EQ((*lossless)["data"].get<std::string>().find("JPEG"), std::string::npos);
  EXPECT_NE((*lossy)["data"].get<std::string>().find("JPEG quality 30, "), std::string::npos);
  nlohmann::json relabelled = *lossy;
  relabelled["data"] = (*lossless)["data"];
  const absl::Status diff = CompareReports(*lossless, relabelled, 1e-9);
  EXPECT_EQ(diff.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(diff.message().find("data"), std::string::npos) << diff.message();
  for (int bad : {-1, 101}) {
    o.jpeg_quality = bad;
    EXPECT_NE(
        Evaluate(o).status().message().find("jpeg_quality must be 0 (lossless) or in [1, 100]"),
        std::string::npos);
  }
  o.jpeg_quality = 90;
  o.data = (dir_ / "folder").string();
  EXPECT_NE(Evaluate(o).status().message().find("jpeg_quality applies to synthetic"),
            std::string::npos);
}

// The same synthetic clip, written as a TED-style NIfTI sequence, must score exactly as the
// synthetic path scores it: this pins the folder reader's orientation, spacing and labels.
TEST_F(EvalFixture, FolderClipScoresLikeTheSameSyntheticClip) {
  auto gen = EvaluatedClip();
  ASSERT_TRUE(gen.ok());
  const synth::ClipInfo& info = (*gen)->info();
  std::string images, labels;
  for (int t = 0; t < o_.max_frames; ++t) {
    synth::Frame f = (*gen)->Render(t);
    ASSERT_TRUE(f.image.isContinuous() && f.labels.isContinuous());
    images.append(reinterpret_cast<const char*>(f.image.data), f.image.total());
    labels.append(reinterpret_cast<const char*>(f.labels.data), f.labels.total());
  }
  std::filesystem::create_directories(dir_ / "ted" / "patient001");
  const std::string prefix = (dir_ / "ted" / "patient001" / "patient001_4CH").string();
  const std::vector<int> dims = {64, 64, o_.max_frames};
  const std::vector<float> spacing = {static_cast<float>(info.spacing_mm_x),
                                      static_cast<float>(info.spacing_mm_y), 1.f};
  testing::WriteNifti(prefix + "_sequence.nii.gz", dims, spacing, images, 2, true);
  testing::WriteNifti(prefix + "_sequence_gt.nii.gz", dims, spacing, labels, 2, true);

  auto synthetic = Evaluate(o_);
  ASSERT_TRUE(synthetic.ok()) << synthetic.status();
  EvalOptions fo = o_;
  fo.data = (dir_ / "ted").string();
  auto folder = Evaluate(fo);
  ASSERT_TRUE(folder.ok()) << folder.status();
  ASSERT_TRUE((*folder)["bins"].contains("ted_sequences")) << folder->dump();
  const nlohmann::json& s = (*synthetic)["bins"]["normal"];
  const nlohmann::json& f = (*folder)["bins"]["ted_sequences"];
  EXPECT_EQ(f["frames"], o_.max_frames);
  for (const char* group : {"dice", "hd95_mm", "msd_mm"}) {
    for (const char* c : {"lv_cavity", "lv_myocardium", "left_atrium"}) {
      // An untrained model may miss a class (null distances): then both must be null. The
      // NIfTI header stores spacing as float: mm distances agree to float precision.
      ASSERT_EQ(f[group][c].is_null(), s[group][c].is_null()) << group << c;
      if (s[group][c].is_null()) continue;
      EXPECT_NEAR(f[group][c].get<double>(), s[group][c].get<double>(), 1e-4) << group << c;
    }
  }
  EXPECT_GT(s["dice"]["lv_cavity"].get<double>(), 0.0);  // something to compare
  EXPECT_NEAR(f["temporal"]["flicker"].get<double>(), s["temporal"]["flicker"].get<double>(), 1e-9);
  EXPECT_NEAR(f["ef"]["mae_area_length_vs_gt_masks"].get<double>(),
              s["ef"]["mae_area_length_vs_gt_masks"].get<double>(), 1e-5);
  EXPECT_TRUE(f["ef"]["mae_area_length_vs_true"].is_null());  // TED gives no reference EF
}

// A two-frame clip (ED then ES) whose true LV is 10x10 then 10x6 pixels (40 % area change) and
// whose predicted ES LV is 10 x `pred_es_rows` pixels (ED predicted exactly).
EvalClip ChangeClip(const std::string& id, int pred_es_rows) {
  EvalClip clip;
  clip.id = id;
  clip.ed = 0, clip.es = 1;
  for (int rows : {10, 6}) {
    cv::Mat label(32, 32, CV_8UC1, cv::Scalar(0));
    label(cv::Rect(4, 4, 10, rows)).setTo(1);
    clip.images.push_back(label.clone());
    clip.labels.push_back(label);
  }
  clip.predicted = {clip.labels[0].clone(), cv::Mat(32, 32, CV_8UC1, cv::Scalar(0))};
  clip.predicted[1](cv::Rect(4, 4, 10, pred_es_rows)).setTo(1);
  return clip;
}

TEST(BinStatsTest, WorstChangeClipsAreTheLargestErrorsLargestFirst) {
  BinStats bin, other;
  bin.Add(ChangeClip("exact", 6));      // change 40, error 0
  bin.Add(ChangeClip("b_over", 7));     // change 30, error 10
  bin.Add(ChangeClip("far", 8));        // change 20, error 20
  other.Add(ChangeClip("a_under", 5));  // change 50, error 10 (ties with b_over: id order)
  bin.Merge(other);
  const nlohmann::json ch = bin.ToJson()["robustness"]["lv_area_change"];
  EXPECT_NEAR(ch["mean_abs_error_points"].get<double>(), 10.0, 1e-9);
  EXPECT_NEAR(ch["median_abs_error_points"].get<double>(), 10.0, 1e-9);
  const nlohmann::json& worst = ch["worst"];
  ASSERT_EQ(worst.size(), static_cast<size_t>(BinStats::kWorstChangeClips));
  EXPECT_EQ(worst[0]["clip"], "far");
  EXPECT_EQ(worst[1]["clip"], "a_under");
  EXPECT_EQ(worst[2]["clip"], "b_over");
  EXPECT_NEAR(worst[0]["predicted_pct"].get<double>(), 20.0, 1e-9);
  EXPECT_NEAR(worst[0]["true_pct"].get<double>(), 40.0, 1e-9);
  EXPECT_NEAR(worst[0]["error_points"].get<double>(), 20.0, 1e-9);
  EXPECT_NEAR(worst[0]["lv_dice_ed"].get<double>(), 1.0, 1e-9);
  // ES: 80 predicted pixels over 60 true ones: Dice 2*60/140, area ratio 80/60.
  EXPECT_NEAR(worst[0]["lv_dice_es"].get<double>(), 120.0 / 140.0, 1e-9);
  EXPECT_NEAR(worst[0]["lv_area_ratio_ed"].get<double>(), 1.0, 1e-9);
  EXPECT_NEAR(worst[0]["lv_area_ratio_es"].get<double>(), 80.0 / 60.0, 1e-9);
  // The Markdown report lists them.
  nlohmann::json report = {{"model", {{"name", "t"}}}, {"data", "d"}, {"pairing", "next"}};
  report["bins"]["normal"] = bin.ToJson();
  const std::string md = MarkdownReport(report);
  EXPECT_NE(md.find("| normal | far | 20.0 / 40.0 | 20.0 | 1.000 / 0.857 | 1.00 / 1.33 |"),
            std::string::npos)
      << md;
}

TEST(PlotsTest, MatchingLinesFollowThePlan) {
  cv::Mat a(32, 32, CV_8UC1, cv::Scalar(0)), b = a.clone();
  // 2x2 grid; token 0 (top-left) sends all its mass to token 3 (bottom-right) of b.
  std::vector<float> plan(16, 0.f);
  plan[0 * 4 + 3] = 1.f;
  cv::Mat pic = DrawMatching(a, b, plan, cv::Size(2, 2), 100);
  ASSERT_EQ(pic.size(), cv::Size(200, 100));
  // The line from (25, 25) to (175, 75) passes through (70, 40).
  EXPECT_GT(cv::norm(pic.at<cv::Vec3b>(40, 70)), 50.0);
  // Nothing drawn from the other (massless) tokens' centres, e.g. (75, 75) on a.
  EXPECT_LT(cv::norm(pic.at<cv::Vec3b>(75, 80)), 10.0);
}

TEST(PlotsTest, CurvesAreDrawn) {
  cv::Mat img = PlotCurves({{"a", {1, 2, 3, 2, 1}, cv::Scalar(0, 0, 255)}}, "t", "y");
  cv::Mat red;
  cv::inRange(img, cv::Scalar(0, 0, 200), cv::Scalar(60, 60, 255), red);
  EXPECT_GT(cv::countNonZero(red), 100);
}

}  // namespace
}  // namespace botm::train
