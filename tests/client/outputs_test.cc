// What `botm-client stream` writes, from hand-made results (no server): masks, GIF, overlays,
// summary.json; and RunStream's option checks.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "client/stream_client.h"
#include "client/stream_outputs.h"
#include "core/image/mask_codec.h"
#include "tests/client/subprocess.h"

namespace botm::client {
namespace {

botm::v1::FrameResult ResultWithMask(uint64_t index, const cv::Mat& labels, bool rle) {
  botm::v1::FrameResult result;
  result.set_index(index);
  botm::v1::Mask* mask = result.mutable_mask();
  mask->set_width(labels.cols);
  mask->set_height(labels.rows);
  mask->set_encoding(rle ? botm::v1::MASK_ENCODING_RLE : botm::v1::MASK_ENCODING_PNG);
  mask->set_data(rle ? image::EncodeRle(labels) : *image::EncodeMaskPng(labels));
  result.mutable_model()->set_weights_sha256(std::string(64, 'a'));
  botm::v1::ClassResult* lv = result.add_classes();
  lv->set_label(1);
  lv->set_name("lv_cavity");
  lv->set_area_px(static_cast<uint64_t>(cv::countNonZero(labels == 1)));
  return result;
}

TEST(StreamOutputsTest, WritesMasksGifOverlaysAndSummary) {
  const std::string out = testing::MakeTempDir("outputs");
  std::vector<cv::Mat> images;
  StreamOutcome outcome;
  for (int i = 0; i < 3; ++i) {
    images.emplace_back(40, 50, CV_8UC1, cv::Scalar(60 + 20 * i));
    cv::Mat labels(40, 50, CV_8UC1, cv::Scalar(0));
    labels(cv::Rect(10, 10, 10 + i, 10)).setTo(1);
    labels(cv::Rect(30, 5, 5, 5)).setTo(3);
    outcome.results.push_back(ResultWithMask(i, labels, /*rle=*/i % 2 == 1));
  }
  botm::v1::FrameResult failed;
  failed.set_index(3);
  failed.mutable_error()->set_code(3);
  failed.mutable_error()->set_message("bad frame");
  outcome.results.push_back(failed);
  images.emplace_back(40, 50, CV_8UC1, cv::Scalar(0));
  outcome.has_summary = true;
  outcome.summary.add_ed_frames(0);
  outcome.summary.set_frames_segmented(3);
  outcome.results_received = 4;
  outcome.wall_seconds = 0.5;
  RunContext context;
  context.latency_ms = {1, 2, 3, 4};
  OutputOptions options;
  options.out_dir = out;
  ASSERT_TRUE(WriteStreamOutputs(options, images, outcome, context).ok());

  cv::Mat mask = cv::imread(out + "/masks/mask_0001.png", cv::IMREAD_UNCHANGED);
  ASSERT_EQ(mask.size(), cv::Size(50, 40));
  EXPECT_EQ(cv::countNonZero(mask == 1), 110);
  EXPECT_EQ(cv::countNonZero(mask == 3), 25);
  EXPECT_FALSE(std::filesystem::exists(out + "/masks/mask_0003.png"));
  std::ifstream gif_file(out + "/overlay.gif", std::ios::binary);
  std::string gif((std::istreambuf_iterator<char>(gif_file)), std::istreambuf_iterator<char>());
  ASSERT_GT(gif.size(), 13u);
  EXPECT_EQ(gif.substr(0, 6), "GIF89a");
  EXPECT_EQ(gif.back(), '\x3B');
  EXPECT_TRUE(std::filesystem::exists(out + "/overlay/overlay_0000.png"));

  std::ifstream json_file(out + "/summary.json");
  nlohmann::json summary = nlohmann::json::parse(json_file);
  EXPECT_EQ(summary["model"]["weights_sha256"], std::string(64, 'a'));
  ASSERT_EQ(summary["frames"].size(), 4u);
  EXPECT_EQ(summary["frames"][2]["areas"]["lv_cavity"]["area_px"], 120);
  EXPECT_EQ(summary["errors"].size(), 1u);
  EXPECT_EQ(summary["frames"][3]["error"]["message"], "bad frame");
  EXPECT_EQ(summary["clip"]["ed_frames"][0], 0);
  EXPECT_DOUBLE_EQ(summary["client"]["throughput_fps"].get<double>(), 8.0);
}

TEST(StreamOutputsTest, MaskWithWrongSizeIsRefused) {
  cv::Mat labels(4, 6, CV_8UC1, cv::Scalar(2));
  botm::v1::FrameResult result = ResultWithMask(0, labels, /*rle=*/false);
  result.mutable_mask()->set_width(7);
  EXPECT_EQ(DecodeResultMask(result.mask()).status().code(), absl::StatusCode::kInvalidArgument);
  result = ResultWithMask(0, labels, /*rle=*/true);
  result.mutable_mask()->set_height(5);
  EXPECT_FALSE(DecodeResultMask(result.mask()).ok());
}

TEST(RunStreamTest, RefusesWindowsThatCannotMove) {
  StreamOptions options;
  options.max_in_flight_frames = 0;
  auto producer = [](botm::v1::Frame*) -> absl::StatusOr<bool> { return false; };
  EXPECT_EQ(RunStream(nullptr, options, producer, nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
  options.max_in_flight_frames = 1;
  options.config.set_pairing(botm::v1::PAIRING_MODE_NEXT);
  EXPECT_EQ(RunStream(nullptr, options, producer, nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace botm::client
