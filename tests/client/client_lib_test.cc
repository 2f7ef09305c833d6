// Client library pieces that need no server: frame sources, wire frames, latency statistics,
// connection errors, bench reports.
#include <algorithm>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>

#include "absl/strings/str_split.h"
#include "client/bench_report.h"
#include "client/channel.h"
#include "client/frame_source.h"
#include "client/latency_stats.h"
#include "client/stream_client.h"
#include "tests/client/subprocess.h"

namespace botm::client {
namespace {

std::vector<cv::Mat> Drain(FrameSource* source) {
  std::vector<cv::Mat> frames;
  while (true) {
    absl::StatusOr<std::optional<SourceFrame>> next = source->Next();
    EXPECT_TRUE(next.ok()) << next.status();
    if (!next.ok() || !next->has_value()) break;
    frames.push_back((*next)->image);
  }
  return frames;
}

TEST(FrameSourceTest, SyntheticWithFrameCountGivesThatManyFramesAndSpacing) {
  absl::StatusOr<std::unique_ptr<FrameSource>> source =
      OpenFrameSource("synthetic:7:5", SourceOptions());
  ASSERT_TRUE(source.ok()) << source.status();
  EXPECT_EQ((*source)->info().num_frames, 5);
  EXPECT_GT((*source)->info().spacing_mm_x, 0);
  EXPECT_GT((*source)->info().fps, 0);
  std::vector<cv::Mat> frames = Drain(source->get());
  ASSERT_EQ(frames.size(), 5u);
  EXPECT_EQ(frames[0].size(), cv::Size(128, 128));
  EXPECT_EQ(frames[0].type(), CV_8UC1);
}

TEST(FrameSourceTest, SyntheticIsDeterministic) {
  auto a = OpenFrameSource("synthetic:11:2", SourceOptions());
  auto b = OpenFrameSource("synthetic:11:2", SourceOptions());
  ASSERT_TRUE(a.ok() && b.ok());
  std::vector<cv::Mat> fa = Drain(a->get()), fb = Drain(b->get());
  ASSERT_EQ(fa.size(), 2u);
  EXPECT_EQ(cv::norm(fa[1], fb[1], cv::NORM_INF), 0);
}

TEST(FrameSourceTest, BadSyntheticSpecIsInvalidArgument) {
  for (const char* spec : {"synthetic:", "synthetic:x", "synthetic:1:0", "synthetic:1:2:3"}) {
    auto source = OpenFrameSource(spec, SourceOptions());
    EXPECT_EQ(source.status().code(), absl::StatusCode::kInvalidArgument) << spec;
  }
}

TEST(FrameSourceTest, FolderIsReadInNameOrder) {
  const std::string dir = testing::MakeTempDir("folder");
  for (int i : {2, 0, 1}) {
    cv::Mat image(40, 30 + i, CV_8UC1, cv::Scalar(10 * i));
    ASSERT_TRUE(cv::imwrite(dir + "/frame_" + std::to_string(i) + ".png", image));
  }
  std::ofstream(dir + "/notes.txt") << "not an image";
  auto source = OpenFrameSource(dir, SourceOptions());
  ASSERT_TRUE(source.ok()) << source.status();
  std::vector<cv::Mat> frames = Drain(source->get());
  ASSERT_EQ(frames.size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(frames[i].cols, 30 + i);
}

// Issue 9: a botm-synth output folder (frame_N.png, mask_N.png, meta.json) streamed its masks
// as frames, and frame_10 came before frame_8.
TEST(FrameSourceTest, FolderTakesFramesOnlyInNumericOrder) {
  const std::string dir = testing::MakeTempDir("synth_out");
  for (int i : {10, 8, 9}) {
    ASSERT_TRUE(cv::imwrite(dir + "/frame_" + std::to_string(i) + ".png",
                            cv::Mat(40, 30 + i, CV_8UC1, cv::Scalar(10 * i))));
    ASSERT_TRUE(cv::imwrite(dir + "/mask_" + std::to_string(i) + ".png",
                            cv::Mat(40, 30 + i, CV_8UC1, cv::Scalar(1))));
  }
  std::ofstream(dir + "/meta.json") << "{}";
  auto source = OpenFrameSource(dir, SourceOptions());
  ASSERT_TRUE(source.ok()) << source.status();
  std::vector<cv::Mat> frames = Drain(source->get());
  ASSERT_EQ(frames.size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(frames[i].cols, 38 + i) << i;
}

TEST(FrameSourceTest, EmptyFolderAndMissingPathAreClearErrors) {
  const std::string dir = testing::MakeTempDir("empty");
  auto empty = OpenFrameSource(dir, SourceOptions());
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(empty.status().message().find("no images"), std::string::npos);
  auto missing = OpenFrameSource("/no/such/clip.avi", SourceOptions());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("/no/such/clip.avi"), std::string::npos);
}

TEST(FrameSourceTest, NonVideoFileIsInvalidArgument) {
  const std::string path = testing::MakeTempDir("notvideo") + "/clip.avi";
  std::ofstream(path) << "this is not a video";
  auto source = OpenFrameSource(path, SourceOptions());
  EXPECT_EQ(source.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(source.status().message().find(path), std::string::npos);
}

TEST(FrameSourceTest, MjpgAviIsRead) {
  const std::string path = testing::MakeTempDir("video") + "/clip.avi";
  cv::VideoWriter writer(path, cv::CAP_OPENCV_MJPEG, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'),
                         25.0, cv::Size(64, 48), true);
  ASSERT_TRUE(writer.isOpened());
  for (int i = 0; i < 4; ++i) writer.write(cv::Mat(48, 64, CV_8UC3, cv::Scalar(40 * i, 0, 0)));
  writer.release();
  auto source = OpenFrameSource(path, SourceOptions());
  ASSERT_TRUE(source.ok()) << source.status();
  EXPECT_NEAR((*source)->info().fps, 25.0, 1e-6);
  std::vector<cv::Mat> frames = Drain(source->get());
  ASSERT_EQ(frames.size(), 4u);
  EXPECT_EQ(frames[0].size(), cv::Size(64, 48));
}

TEST(FillFrameTest, RawIsTightlyPacked) {
  cv::Mat big(10, 20, CV_16UC1, cv::Scalar(513));
  cv::Mat roi = big(cv::Rect(2, 1, 5, 3));  // not continuous
  botm::v1::Frame frame;
  ASSERT_TRUE(FillFrame(roi, WireEncoding::kRaw, &frame).ok());
  EXPECT_EQ(frame.raw().width(), 5u);
  EXPECT_EQ(frame.raw().height(), 3u);
  EXPECT_EQ(frame.raw().bits_per_sample(), 16u);
  ASSERT_EQ(frame.raw().data().size(), 5u * 3u * 2u);
  EXPECT_EQ(static_cast<uint8_t>(frame.raw().data()[0]), 1);  // 513 little-endian: 01 02
  EXPECT_EQ(static_cast<uint8_t>(frame.raw().data()[1]), 2);
}

TEST(FillFrameTest, PngRoundTripsAndEmptyIsRefused) {
  cv::Mat image(12, 9, CV_8UC1, cv::Scalar(77));
  botm::v1::Frame frame;
  ASSERT_TRUE(FillFrame(image, WireEncoding::kPng, &frame).ok());
  cv::Mat decoded = cv::imdecode(std::vector<uchar>(frame.encoded().begin(), frame.encoded().end()),
                                 cv::IMREAD_UNCHANGED);
  EXPECT_EQ(cv::norm(decoded, image, cv::NORM_INF), 0);
  EXPECT_EQ(FillFrame(cv::Mat(), WireEncoding::kPng, &frame).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(LatencyStatsTest, NearestRankPercentiles) {
  std::vector<double> samples;
  for (int i = 100; i >= 1; --i) samples.push_back(i);
  const LatencySummary s = Summarize(samples);
  EXPECT_EQ(s.count, 100);
  EXPECT_DOUBLE_EQ(s.p50_ms, 50);
  EXPECT_DOUBLE_EQ(s.p90_ms, 90);
  EXPECT_DOUBLE_EQ(s.p99_ms, 99);
  EXPECT_DOUBLE_EQ(s.max_ms, 100);
  EXPECT_DOUBLE_EQ(s.mean_ms, 50.5);
  EXPECT_EQ(Summarize({}).count, 0);
  EXPECT_DOUBLE_EQ(Summarize({7}).p99_ms, 7);
}

TEST(ChannelTest, UnreachableServerErrorNamesTheAddress) {
  ChannelOptions options;
  options.address = "127.0.0.1:" + std::to_string(testing::PickFreePort());
  options.connect_timeout_ms = 300;
  auto channel = Connect(options);
  EXPECT_EQ(channel.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(channel.status().message().find(options.address), std::string::npos)
      << channel.status();
}

TEST(ChannelTest, MissingTlsFilesAreReported) {
  ChannelOptions options;
  options.address = "127.0.0.1:1";
  options.tls_ca_path = "/no/ca.pem";
  EXPECT_EQ(Connect(options).status().code(), absl::StatusCode::kNotFound);
  options.tls_cert_path = "/no/cert.pem";  // without a key
  EXPECT_EQ(Connect(options).status().code(), absl::StatusCode::kInvalidArgument);
}

BenchResult FakeRun(const std::string& mode, int frames, double wall_s) {
  BenchResult run;
  run.mode = mode;
  run.streams = 2;
  run.wall_seconds = wall_s;
  run.frames_ok = run.frames_sent = frames;
  for (int i = 0; i < frames; ++i) {
    FrameSample s;
    s.client_ms = 1 + i;
    s.inference_ms = 0.5;
    run.samples.push_back(s);
  }
  return run;
}

TEST(BenchReportTest, CsvHasOneColumnPerHeaderAndRatioIsServedOverInProcess) {
  std::vector<BenchResult> runs = {FakeRun("in_process", 10, 1.0), FakeRun("served", 9, 1.0)};
  const std::vector<std::string> lines = absl::StrSplit(FormatCsv(runs), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 3u);
  const size_t columns = std::count(lines[0].begin(), lines[0].end(), ',');
  EXPECT_EQ(std::count(lines[1].begin(), lines[1].end(), ','), columns);
  EXPECT_EQ(columns + 1, 10 + 4 * PhaseNames().size());
  EXPECT_NEAR(ServedOverInProcess(runs), 0.9, 1e-9);
  EXPECT_NEAR(FormatJson(runs)["served_over_in_process"].get<double>(), 0.9, 1e-9);
  EXPECT_NE(FormatTable(runs).find("0.900"), std::string::npos);
}

TEST(BenchReportTest, PlotIsAPng) {
  const std::string path = testing::MakeTempDir("plot") + "/cdf.png";
  ASSERT_TRUE(WriteLatencyPlot({FakeRun("served", 50, 1.0)}, path).ok());
  cv::Mat plot = cv::imread(path);
  EXPECT_EQ(plot.size(), cv::Size(800, 500));
  EXPECT_FALSE(WriteLatencyPlot({}, "/no/such/dir/x.png").ok());
}

}  // namespace
}  // namespace botm::client
