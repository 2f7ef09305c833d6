#include "core/image/mask_codec.h"

#include <string>

#include <gtest/gtest.h>

#include "core/image/image_codec.h"

namespace botm::image {
namespace {

TEST(Varint, MatchesProtobufLayout) {
  std::string s;
  AppendVarint(1, &s);
  AppendVarint(300, &s);  // 0xAC 0x02 in the protobuf encoding guide
  AppendVarint(0, &s);
  EXPECT_EQ(s, std::string("\x01\xac\x02\x00", 4));
  size_t pos = 0;
  EXPECT_EQ(ReadVarint(s, &pos).value(), 1u);
  EXPECT_EQ(ReadVarint(s, &pos).value(), 300u);
  EXPECT_EQ(ReadVarint(s, &pos).value(), 0u);
  EXPECT_EQ(pos, s.size());
  pos = 0;
  EXPECT_FALSE(ReadVarint("\x80", &pos).ok());
  pos = 0;
  EXPECT_FALSE(ReadVarint(std::string(11, '\xff'), &pos).ok());
}

TEST(Rle, ExactBytesOfTinyMask) {
  // Row-major 0 0 1 | 1 1 3 : runs (0,2) (1,3) (3,1), crossing the row end.
  cv::Mat m = (cv::Mat_<uint8_t>(2, 3) << 0, 0, 1, 1, 1, 3);
  EXPECT_EQ(EncodeRle(m), std::string("\x00\x02\x01\x03\x03\x01", 6));
}

TEST(Rle, LongRunUsesMultiByteVarint) {
  cv::Mat m(10, 20, CV_8UC1, cv::Scalar(2));
  EXPECT_EQ(EncodeRle(m), std::string("\x02\xc8\x01", 3));  // 200 = 0xC8 0x01
}

TEST(Rle, RoundTripsRandomMask) {
  cv::Mat m(37, 53, CV_8UC1);
  cv::RNG rng(7);
  rng.fill(m, cv::RNG::UNIFORM, 0, 4);
  cv::Mat sub = m(cv::Rect(3, 2, 30, 20));  // non-continuous view
  for (const cv::Mat& mask : {m, sub}) {
    absl::StatusOr<cv::Mat> d = DecodeRle(EncodeRle(mask), mask.cols, mask.rows);
    ASSERT_TRUE(d.ok()) << d.status();
    EXPECT_EQ(cv::norm(*d, mask, cv::NORM_INF), 0);
  }
}

TEST(Rle, RejectsBadRuns) {
  const std::string good("\x00\x02\x01\x04", 4);  // 6 pixels
  EXPECT_TRUE(DecodeRle(good, 3, 2).ok());
  EXPECT_EQ(DecodeRle(good, 4, 2).status().code(), absl::StatusCode::kInvalidArgument);  // short
  EXPECT_FALSE(DecodeRle(good, 5, 1).ok());                                              // exceeds
  EXPECT_FALSE(DecodeRle(good.substr(0, 3), 3, 2).ok());                   // missing run
  EXPECT_FALSE(DecodeRle(std::string("\x01\x00\x00\x06", 4), 3, 2).ok());  // zero run
  EXPECT_FALSE(DecodeRle(std::string("\x80\x02\x06", 3), 3, 2).ok());      // value 256
  EXPECT_FALSE(DecodeRle(good, 0, 2).ok());
  EXPECT_FALSE(DecodeRle("", 3, 2).ok());
}

TEST(MaskPng, RoundTripsAndRejectsColour) {
  cv::Mat m = (cv::Mat_<uint8_t>(2, 3) << 0, 1, 2, 3, 2, 1);
  absl::StatusOr<std::string> png = EncodeMaskPng(m);
  ASSERT_TRUE(png.ok()) << png.status();
  absl::StatusOr<cv::Mat> d = DecodeMaskPng(*png);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(cv::norm(*d, m, cv::NORM_INF), 0);
  const std::string colour = EncodePng(cv::Mat(4, 4, CV_8UC3, cv::Scalar::all(1))).value();
  EXPECT_EQ(DecodeMaskPng(colour).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(DecodeMaskPng("").ok());
  EXPECT_FALSE(EncodeMaskPng(cv::Mat(2, 2, CV_16UC1)).ok());
}

}  // namespace
}  // namespace botm::image
