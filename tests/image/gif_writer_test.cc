#include "core/image/gif_writer.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "core/image/gif_lzw.h"
#include "core/image/gif_palette.h"
#include "tests/image/gif_test_decoder.h"

namespace botm::image {
namespace {

using testing::DecodedGif;
using testing::ParseGif;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string TempPath(const std::string& name) {
  return std::string(::testing::TempDir()) + "/" + name;
}

std::vector<uint8_t> Indices(const cv::Mat& m) {
  const cv::Mat c = m.clone();
  return std::vector<uint8_t>(c.data, c.data + c.total());
}

TEST(GifPalette, NearestMatchesBruteForce) {
  const auto& palette = GifPalette();
  cv::RNG rng(5);
  for (int i = 0; i < 3000; ++i) {
    const cv::Vec3b c(rng.uniform(0, 256), rng.uniform(0, 256), rng.uniform(0, 256));
    const cv::Vec3b g = i % 2 ? cv::Vec3b(c[0], c[0], c[0]) : c;  // grays too
    int best = 1 << 30;
    for (const cv::Vec3b& p : palette) best = std::min(best, int(cv::norm(g, p, cv::NORM_L2SQR)));
    EXPECT_EQ(int(cv::norm(g, palette[NearestPaletteIndex(g)], cv::NORM_L2SQR)), best);
  }
  EXPECT_EQ(NearestPaletteIndex(cv::Vec3b(0, 0, 0)), 0);
  EXPECT_EQ(palette[NearestPaletteIndex(cv::Vec3b(0, 0, 255))], cv::Vec3b(0, 0, 255));
}

TEST(GifLzw, RoundTripsShortAndLongInputs) {
  for (int min_code_size : {2, 8}) {
    cv::RNG rng(9);
    std::vector<uint8_t> noise(20000);  // forces table resets
    for (auto& v : noise) v = static_cast<uint8_t>(rng.uniform(0, 1 << min_code_size));
    const std::vector<uint8_t> runs(50000, 1);  // long strings, few codes
    for (const auto& in : {noise, runs, std::vector<uint8_t>{3}}) {
      std::string error;
      const std::string packed = GifLzwEncode(in.data(), in.size(), min_code_size);
      EXPECT_EQ(testing::LzwDecode(packed, min_code_size, in.size(), &error), in);
      EXPECT_EQ(error, "");
    }
  }
  // Clear (256) then end (257), 9 bits each, LSB first: 0x00 0x03 0x02.
  EXPECT_EQ(GifLzwEncode(nullptr, 0, 8), std::string("\x00\x03\x02", 3));
}

TEST(GifLzw, SubBlocksOf255) {
  std::string out;
  AppendGifSubBlocks(std::string(300, 'a'), &out);
  ASSERT_EQ(out.size(), 1 + 255 + 1 + 45 + 1u);
  EXPECT_EQ(uint8_t(out[0]), 255);
  EXPECT_EQ(uint8_t(out[256]), 45);
  EXPECT_EQ(out.back(), '\0');
}

TEST(GifWriter, FramesRoundTripThroughIndependentDecoder) {
  const std::string path = TempPath("round_trip.gif");
  const cv::Size size(67, 41);
  GifWriter::Options options;
  options.delay_centiseconds = 7;
  auto writer = GifWriter::Create(path, size, options);
  ASSERT_TRUE(writer.ok()) << writer.status();
  std::vector<cv::Mat> frames;
  cv::RNG rng(1);
  for (int i = 0; i < 3; ++i) {
    cv::Mat f(size, CV_8UC3);
    rng.fill(f, cv::RNG::UNIFORM, 0, 256);
    f(cv::Rect(0, 0, 30, 20)).setTo(cv::Scalar(20 * i, 100, 200));
    frames.push_back(f);
    ASSERT_TRUE((*writer)->AddFrame(f).ok());
  }
  ASSERT_TRUE((*writer)->Close().ok());
  const std::string bytes = ReadFile(path);
  EXPECT_EQ(bytes.substr(0, 6), "GIF89a");
  EXPECT_EQ(bytes.back(), ';');
  const DecodedGif g = ParseGif(bytes);
  ASSERT_EQ(g.error, "");
  EXPECT_EQ(g.width, 67);
  EXPECT_EQ(g.height, 41);
  EXPECT_TRUE(g.loops);
  EXPECT_EQ(g.delays_cs, std::vector<int>({7, 7, 7}));
  ASSERT_EQ(g.frames.size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(g.frames[i], Indices(MapToPalette(frames[i]))) << i;
  EXPECT_EQ(g.palette_rgb[3 * 215], 255);  // last cube entry is white
  std::remove(path.c_str());
}

TEST(GifWriter, GrayFramesAndNoLoop) {
  const std::string path = TempPath("gray.gif");
  auto writer = GifWriter::Create(path, {16, 8}, {4, false});
  ASSERT_TRUE(writer.ok());
  cv::Mat gray(8, 16, CV_8UC1);
  for (int x = 0; x < 16; ++x) gray.col(x).setTo(x * 16);
  ASSERT_TRUE((*writer)->AddFrame(gray).ok());
  ASSERT_TRUE((*writer)->Close().ok());
  const DecodedGif g = ParseGif(ReadFile(path));
  ASSERT_EQ(g.error, "");
  EXPECT_FALSE(g.loops);
  ASSERT_EQ(g.frames.size(), 1u);
  for (int x = 0; x < 16; ++x) {  // 46 gray levels: within 3 of the input
    const int idx = g.frames[0][x];
    EXPECT_NEAR(g.palette_rgb[3 * idx], x * 16, 3);
    EXPECT_EQ(g.palette_rgb[3 * idx], g.palette_rgb[3 * idx + 2]);
  }
  std::remove(path.c_str());
}

TEST(GifWriter, RejectsBadUse) {
  EXPECT_EQ(GifWriter::Create(TempPath("x.gif"), {0, 5}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GifWriter::Create(TempPath("x.gif"), {5, 5}, {-1, true}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GifWriter::Create("/nonexistent-dir/x.gif", {5, 5}).status().code(),
            absl::StatusCode::kFailedPrecondition);
  auto writer = GifWriter::Create(TempPath("bad.gif"), {10, 10});
  ASSERT_TRUE(writer.ok());
  EXPECT_EQ((*writer)->AddFrame(cv::Mat(9, 10, CV_8UC3)).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ((*writer)->AddFrame(cv::Mat(10, 10, CV_16UC3)).code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE((*writer)->Close().ok());
  EXPECT_TRUE((*writer)->Close().ok());
  EXPECT_EQ((*writer)->AddFrame(cv::Mat(10, 10, CV_8UC3)).code(),
            absl::StatusCode::kFailedPrecondition);
  std::remove(TempPath("bad.gif").c_str());
}

}  // namespace
}  // namespace botm::image
