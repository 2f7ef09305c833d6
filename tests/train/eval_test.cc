#include "core/train/evaluator.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "core/model/model_factory.h"
#include "core/train/plots.h"

namespace botm::train {
namespace {

TEST(EvalTest, SmokeReportHasEveryKeyAndFiles) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("botm_eval_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  ModelConfig config;
  config.input_size = 64;
  const std::string pt = (dir / "m.pt").string();
  ASSERT_TRUE(CreateInitialCheckpoint(config, 1, pt).ok());
  EvalOptions o;
  o.model_path = pt;
  o.bins = {synth::Difficulty::kNormal};
  o.clips_per_bin = 1;
  o.size_px = 64;
  o.max_frames = 5;
  o.threads = 1;
  o.out_dir = (dir / "report").string();
  o.progress = false;
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
  EXPECT_TRUE(std::filesystem::exists(dir / "report" / "report.json"));
  EXPECT_TRUE(std::filesystem::exists(dir / "report" / "report.md"));
  EXPECT_TRUE(std::filesystem::exists(dir / "report" / "normal_0_lv_area.png"));
  EXPECT_TRUE(std::filesystem::exists(dir / "report" / "matching_normal_0.png"));
  EXPECT_NE(MarkdownReport(*report).find("| normal | 1 | 5 |"), std::string::npos);
  std::filesystem::remove_all(dir);
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
