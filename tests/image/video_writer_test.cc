#include "core/image/video_writer.h"

#include <cstdio>

#include <gtest/gtest.h>
#include <opencv2/videoio.hpp>

namespace botm::image {
namespace {

TEST(MjpegWriter, WritesFramesThatReadBack) {
  const std::string path = std::string(::testing::TempDir()) + "/clip.avi";
  auto writer = MjpegWriter::Create(path, {64, 48}, {25.0, 95});
  ASSERT_TRUE(writer.ok()) << writer.status();
  for (int i = 0; i < 5; ++i) {
    cv::Mat frame(48, 64, CV_8UC3, cv::Scalar(40 * i, 200, 30));
    ASSERT_TRUE((*writer)->AddFrame(frame).ok());
  }
  ASSERT_TRUE((*writer)->AddFrame(cv::Mat(48, 64, CV_8UC1, cv::Scalar(128))).ok());
  ASSERT_TRUE((*writer)->Close().ok());
  cv::VideoCapture capture(path, cv::CAP_OPENCV_MJPEG);
  ASSERT_TRUE(capture.isOpened());
  std::vector<cv::Mat> frames;
  for (cv::Mat f; capture.read(f);) frames.push_back(f.clone());
  ASSERT_EQ(frames.size(), 6u);
  EXPECT_EQ(frames[0].size(), cv::Size(64, 48));
  const cv::Scalar mean = cv::mean(frames[3]);
  EXPECT_NEAR(mean[0], 120, 6);
  EXPECT_NEAR(mean[1], 200, 6);
  EXPECT_NEAR(cv::mean(frames[5])[2], 128, 4);
  std::remove(path.c_str());
}

TEST(MjpegWriter, RejectsBadUse) {
  const std::string path = std::string(::testing::TempDir()) + "/bad.avi";
  EXPECT_EQ(MjpegWriter::Create(path, {0, 4}, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MjpegWriter::Create(path, {8, 8}, {0.0, 90}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(MjpegWriter::Create("/nonexistent-dir/x.avi", {8, 8}, {}).ok());
  auto writer = MjpegWriter::Create(path, {8, 8}, {});
  ASSERT_TRUE(writer.ok());
  EXPECT_EQ((*writer)->AddFrame(cv::Mat(8, 9, CV_8UC3)).code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE((*writer)->Close().ok());
  EXPECT_EQ((*writer)->AddFrame(cv::Mat(8, 8, CV_8UC3)).code(),
            absl::StatusCode::kFailedPrecondition);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace botm::image
