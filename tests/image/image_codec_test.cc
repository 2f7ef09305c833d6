#include "core/image/image_codec.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

namespace botm::image {
namespace {

using ::testing::HasSubstr;

std::string Encode(const cv::Mat& m, const std::string& ext) {
  std::vector<uchar> buf;
  EXPECT_TRUE(cv::imencode(ext, m, buf));
  return std::string(buf.begin(), buf.end());
}

cv::Mat Ramp(int rows, int cols, int type) {
  cv::Mat m(rows, cols, type);
  for (int i = 0; i < static_cast<int>(m.total() * m.channels()); ++i) {
    if (m.depth() == CV_8U) m.data[i] = static_cast<uint8_t>(i * 7);
    if (m.depth() == CV_16U)
      reinterpret_cast<uint16_t*>(m.data)[i] = static_cast<uint16_t>(i * 997);
  }
  return m;
}

bool Equal(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0;
}

TEST(DecodeImage, PngKeepsDepthAndChannels) {
  for (int type : {CV_8UC1, CV_8UC3, CV_8UC4, CV_16UC1, CV_16UC3}) {
    const cv::Mat m = Ramp(12, 17, type);
    absl::StatusOr<cv::Mat> d = DecodeImage(Encode(m, ".png"));
    ASSERT_TRUE(d.ok()) << d.status();
    EXPECT_TRUE(Equal(*d, m)) << "type " << type;
  }
}

TEST(DecodeImage, JpegGrayDecodesApproximately) {
  cv::Mat m(32, 40, CV_8UC1, cv::Scalar(100));
  absl::StatusOr<cv::Mat> d = DecodeImage(Encode(m, ".jpg"));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->type(), CV_8UC1);
  EXPECT_EQ(d->size(), m.size());
  EXPECT_NEAR(cv::mean(*d)[0], 100.0, 2.0);
}

TEST(DecodeImage, RejectsEmpty) {
  absl::StatusOr<cv::Mat> d = DecodeImage("");
  EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(d.status().message()), HasSubstr("empty"));
}

TEST(DecodeImage, RejectsUnknownFormat) {
  absl::StatusOr<cv::Mat> d = DecodeImage("GIF89a not supported here");
  EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(d.status().message()), HasSubstr("unknown image format"));
}

TEST(DecodeImage, RejectsTruncatedPng) {
  const std::string png = Encode(Ramp(40, 40, CV_8UC1), ".png");
  for (size_t keep : {size_t{5}, size_t{20}, png.size() / 2, png.size() - 1}) {
    absl::StatusOr<cv::Mat> d = DecodeImage(png.substr(0, keep));
    EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument) << keep;
    EXPECT_THAT(std::string(d.status().message()), HasSubstr("PNG")) << keep;
  }
}

TEST(DecodeImage, RejectsTruncatedJpeg) {
  const std::string jpg = Encode(Ramp(40, 40, CV_8UC3), ".jpg");
  for (size_t keep : {size_t{3}, size_t{100}, jpg.size() / 2, jpg.size() - 2}) {
    absl::StatusOr<cv::Mat> d = DecodeImage(jpg.substr(0, keep));
    EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument) << keep;
    EXPECT_THAT(std::string(d.status().message()), HasSubstr("JPEG")) << keep;
  }
}

TEST(DecodeImage, RejectsCorruptPngBody) {
  std::string png = Encode(Ramp(40, 40, CV_8UC1), ".png");
  for (size_t i = 40; i < png.size() - 20; ++i) png[i] = static_cast<char>(png[i] ^ 0x5a);
  absl::StatusOr<cv::Mat> d = DecodeImage(png);
  EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(DecodeImage, RefusesOversizedBeforeDecoding) {
  const std::string png = Encode(Ramp(30, 40, CV_8UC1), ".png");
  const std::string jpg = Encode(Ramp(30, 40, CV_8UC1), ".jpg");
  EXPECT_EQ(PeekImageSize(png).value(), cv::Size(40, 30));
  EXPECT_EQ(PeekImageSize(jpg).value(), cv::Size(40, 30));
  absl::StatusOr<cv::Mat> d = DecodeImage(png, 1000);
  EXPECT_EQ(d.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(std::string(d.status().message()), HasSubstr("40x30"));
  EXPECT_TRUE(DecodeImage(jpg, 1200).ok());
}

TEST(WrapRaw, Copies8Bit) {
  std::string data = {1, 2, 3, 4, 5, 6};
  absl::StatusOr<cv::Mat> m = WrapRaw(3, 2, 1, 8, data);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->type(), CV_8UC1);
  EXPECT_EQ(m->at<uint8_t>(1, 0), 4);
  data[3] = 9;
  EXPECT_EQ(m->at<uint8_t>(1, 0), 4);  // a copy, not a view
}

TEST(WrapRaw, SixteenBitIsLittleEndian) {
  const std::string data("\x34\x12\xff\x00\x00\x01", 6);
  absl::StatusOr<cv::Mat> m = WrapRaw(1, 1, 3, 16, data);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->type(), CV_16UC3);
  EXPECT_EQ(m->at<cv::Vec3w>(0, 0), cv::Vec3w(0x1234, 0x00ff, 0x0100));
}

TEST(WrapRaw, NamesTheBadField) {
  const std::string four(4, '\0');
  EXPECT_THAT(std::string(WrapRaw(0, 4, 1, 8, "").status().message()), HasSubstr("zero size"));
  EXPECT_THAT(std::string(WrapRaw(2, 2, 2, 8, four).status().message()), HasSubstr("channels"));
  EXPECT_THAT(std::string(WrapRaw(2, 2, 1, 12, four).status().message()),
              HasSubstr("bits_per_sample"));
  absl::Status s = WrapRaw(2, 2, 1, 16, four).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("has 4 bytes"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("needs 8"));
}

TEST(CheckFrameSize, BoundsAndCodes) {
  EXPECT_TRUE(CheckFrameSize(cv::Mat(8, 8, CV_8UC1), 64).ok());
  absl::Status small = CheckFrameSize(cv::Mat(7, 100, CV_8UC1), 0);
  EXPECT_EQ(small.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(small.message()), HasSubstr("100x7"));
  absl::Status large = CheckFrameSize(cv::Mat(10, 10, CV_8UC1), 99);
  EXPECT_EQ(large.code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(std::string(large.message()), HasSubstr("limit is 99"));
  EXPECT_TRUE(CheckFrameSize(cv::Mat(1000, 1000, CV_8UC1), 0).ok());
}

TEST(EncodePng, RoundTripsAndRejectsBadInput) {
  const cv::Mat m = Ramp(9, 11, CV_16UC1);
  absl::StatusOr<std::string> png = EncodePng(m);
  ASSERT_TRUE(png.ok()) << png.status();
  EXPECT_TRUE(Equal(DecodeImage(*png).value(), m));
  EXPECT_FALSE(EncodePng(cv::Mat()).ok());
  EXPECT_FALSE(EncodePng(cv::Mat(4, 4, CV_32FC1)).ok());
}

TEST(ToGray8, ConvertsDepthsAndChannels) {
  cv::Mat g16(1, 3, CV_16UC1);
  g16.at<uint16_t>(0, 0) = 0;
  g16.at<uint16_t>(0, 1) = 65535;
  g16.at<uint16_t>(0, 2) = 257 * 100;
  const cv::Mat g = ToGray8(g16);
  ASSERT_EQ(g.type(), CV_8UC1);
  EXPECT_EQ(g.at<uint8_t>(0, 0), 0);
  EXPECT_EQ(g.at<uint8_t>(0, 1), 255);
  EXPECT_EQ(g.at<uint8_t>(0, 2), 100);
  const cv::Mat bgr(2, 2, CV_8UC3, cv::Scalar(50, 50, 50));
  EXPECT_EQ(ToGray8(bgr).at<uint8_t>(1, 1), 50);
  const cv::Mat bgra(2, 2, CV_8UC4, cv::Scalar(0, 0, 255, 0));  // red: 0.299 * 255
  EXPECT_EQ(ToGray8(bgra).at<uint8_t>(0, 0), 76);
  EXPECT_TRUE(ToGray8(cv::Mat()).empty());
  cv::Mat same(2, 2, CV_8UC1, cv::Scalar(3));
  cv::Mat copy = ToGray8(same);
  same.setTo(9);
  EXPECT_EQ(copy.at<uint8_t>(0, 0), 3);
}

TEST(ToBgr8, ExpandsGray) {
  const cv::Mat g(2, 3, CV_8UC1, cv::Scalar(7));
  const cv::Mat bgr = ToBgr8(g);
  ASSERT_EQ(bgr.type(), CV_8UC3);
  EXPECT_EQ(bgr.at<cv::Vec3b>(1, 2), cv::Vec3b(7, 7, 7));
}

}  // namespace
}  // namespace botm::image
