// Regression tests (issue 9, defect 9): a JPEG cut short with an end marker appended was
// decoded as if whole (libjpeg only warned on stderr), and libpng/libjpeg wrote raw lines to the
// process's stderr. Decoder warnings of corrupt data are now errors; other warnings go to the
// caller, never to stderr.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/image/image_codec.h"

namespace botm::image {
namespace {

cv::Mat Gradient(int side) {
  cv::Mat m(side, side, CV_8UC1);
  for (int y = 0; y < side; ++y) {
    for (int x = 0; x < side; ++x)
      m.at<uint8_t>(y, x) = static_cast<uint8_t>((x * 3 + y * 5) & 255);
  }
  cv::circle(m, {side / 2, side / 2}, side / 4, cv::Scalar(30), -1);
  return m;
}

std::string Encode(const cv::Mat& m, const std::string& ext) {
  std::vector<uchar> buf;
  EXPECT_TRUE(cv::imencode(ext, m, buf));
  return std::string(buf.begin(), buf.end());
}

// Runs `fn` with the process's stderr redirected to a file; returns what was written to it.
template <typename Fn>
std::string CaptureStderr(Fn fn) {
  char path[] = "/tmp/botm-stderr-XXXXXX";
  const int fd = ::mkstemp(path);
  std::fflush(stderr);
  const int saved = ::dup(2);
  ::dup2(fd, 2);
  fn();
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  ::close(fd);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::remove(path);
  return text.str();
}

// A PNG with an ancillary tEXt chunk whose CRC is wrong: libpng warns and drops the chunk.
std::string PngWithBadAncillaryCrc(const cv::Mat& m) {
  const std::string png = Encode(m, ".png");
  const size_t iend = png.rfind("IEND") - 4;  // the IEND chunk starts with its length
  const std::string chunk = std::string("\0\0\0\x05tEXtab\0cd\xde\xad\xbe\xef", 17);
  return png.substr(0, iend) + chunk + png.substr(iend);
}

TEST(DecodeWarnings, TruncatedJpegWithEndMarkerIsInvalidArgument) {
  const std::string jpeg = Encode(Gradient(256), ".jpg");
  const std::string cut = jpeg.substr(0, jpeg.size() / 2) + "\xff\xd9";
  absl::StatusOr<cv::Mat> decoded;
  const std::string err = CaptureStderr([&] { decoded = DecodeImage(cut); });
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(decoded.status().message().find("JPEG"), std::string::npos) << decoded.status();
  EXPECT_EQ(err, "") << "the decoder wrote to stderr";
}

TEST(DecodeWarnings, PngWarningsDoNotReachStderr) {
  const cv::Mat m = Gradient(64);
  const std::string png = PngWithBadAncillaryCrc(m);
  absl::StatusOr<cv::Mat> decoded;
  const std::string err = CaptureStderr([&] { decoded = DecodeImage(png); });
  ASSERT_TRUE(decoded.ok()) << decoded.status();  // an ancillary chunk does not spoil the image
  EXPECT_EQ(cv::norm(*decoded, m, cv::NORM_INF), 0);
  EXPECT_EQ(err, "") << "the decoder wrote to stderr";
}

TEST(DecodeWarnings, PngWarningsGoToTheCallback) {
  const cv::Mat m = Gradient(32);
  std::vector<std::string> warnings;
  DecodeOptions o;
  o.on_warning = [&](absl::string_view w) { warnings.emplace_back(w); };
  absl::StatusOr<cv::Mat> decoded = DecodeImage(PngWithBadAncillaryCrc(m), o);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("CRC"), std::string::npos) << warnings[0];
}

// Issue 9, defect 4: the decoded size is known from the header, so a small file that would
// decode to a huge matrix is refused before any pixel is decoded.
TEST(DecodeLimits, DecodedBytesAreBoundedFromTheHeader) {
  const std::string png = Encode(cv::Mat(300, 200, CV_16UC4, cv::Scalar::all(0)), ".png");
  absl::StatusOr<ImageHeader> h = PeekImageHeader(png);
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->decoded_bytes(), 300 * 200 * 4 * 2);
  DecodeOptions o;
  o.max_decoded_bytes = h->decoded_bytes() - 1;
  absl::StatusOr<cv::Mat> refused = DecodeImage(png, o);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_NE(refused.status().message().find("bytes"), std::string::npos);
  o.max_decoded_bytes = h->decoded_bytes();
  EXPECT_TRUE(DecodeImage(png, o).ok());
}

TEST(DecodeLimits, HeaderPredictsTheDecodedLayout) {
  const cv::Mat gray16(10, 12, CV_16UC1, cv::Scalar(1000));
  const cv::Mat bgr(10, 12, CV_8UC3, cv::Scalar(1, 2, 3));
  const cv::Mat bgra(10, 12, CV_8UC4, cv::Scalar(1, 2, 3, 4));
  for (const cv::Mat& m : {gray16, bgr, bgra}) {
    for (const char* ext : {".png", ".jpg"}) {
      if (m.depth() == CV_16U && std::string(ext) == ".jpg") continue;
      if (m.channels() == 4 && std::string(ext) == ".jpg") continue;
      const std::string bytes = Encode(m, ext);
      absl::StatusOr<ImageHeader> h = PeekImageHeader(bytes);
      ASSERT_TRUE(h.ok()) << h.status();
      absl::StatusOr<cv::Mat> d = DecodeImage(bytes);
      ASSERT_TRUE(d.ok()) << d.status();
      EXPECT_EQ(h->channels, d->channels()) << ext;
      EXPECT_EQ(h->bytes_per_sample, static_cast<int>(d->elemSize1())) << ext;
      EXPECT_EQ(h->decoded_bytes(), static_cast<int64_t>(d->total() * d->elemSize())) << ext;
    }
  }
}

}  // namespace
}  // namespace botm::image
