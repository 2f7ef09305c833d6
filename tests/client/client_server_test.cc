// End-to-end tests against a real botm-server started as a subprocess on loopback, with an
// untrained checkpoint made by the test, plus the in-process benchmark on the same model.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "client/bench_runner.h"
#include "client/channel.h"
#include "client/service_calls.h"
#include "client/stream_client.h"
#include "core/model/partner.h"
#include "tests/client/subprocess.h"
#include "tests/client/test_server.h"

namespace botm::client {
namespace {

namespace fs = std::filesystem;
using testing::CommandResult;
using testing::RunCommand;

using testing::ReadAll;

class ClientServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto server = testing::StartTestServer(BOTM_SERVER_BIN, testing::MakeTempDir("server"), {},
                                           ChannelOptions());
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = new testing::TestServer(*std::move(server));
    address_ = &server_->address;
  }

  static void TearDownTestSuite() {
    if (server_ == nullptr) return;
    absl::StatusOr<int> code = testing::StopTestServer(server_);
    EXPECT_TRUE(code.ok() && *code == 0) << "server exit: " << code.status();
    delete server_;
    server_ = nullptr;
  }

  static std::shared_ptr<grpc::Channel> Channel() {
    ChannelOptions options;
    options.address = *address_;
    auto channel = Connect(options);
    EXPECT_TRUE(channel.ok()) << channel.status();
    return channel.ok() ? *channel : nullptr;
  }

  static testing::TestServer* server_;
  static const std::string* address_;
};
testing::TestServer* ClientServerTest::server_ = nullptr;
const std::string* ClientServerTest::address_ = nullptr;

TEST_F(ClientServerTest, HealthExitsZeroWhenServing) {
  auto result = RunCommand({BOTM_CLIENT_BIN, "health", "--server=" + *address_}, absl::Seconds(30));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->exit_code, 0) << result->output;
  EXPECT_NE(result->output.find("SERVING"), std::string::npos);
}

TEST_F(ClientServerTest, InfoPrintsTheModelAsJson) {
  auto result = RunCommand({BOTM_CLIENT_BIN, "info", "--server=" + *address_}, absl::Seconds(30));
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->exit_code, 0) << result->output;
  nlohmann::json info = nlohmann::json::parse(result->output, nullptr, false);
  ASSERT_FALSE(info.is_discarded()) << result->output;
  EXPECT_EQ(info["weights_sha256"].get<std::string>().size(), 64u);
}

TEST_F(ClientServerTest, StreamWritesMasksGifAndSummary) {
  const std::string out = testing::MakeTempDir("stream_out");
  auto result = RunCommand({BOTM_CLIENT_BIN, "stream", "--server=" + *address_,
                            "--input=synthetic:7:6", "--out=" + out, "--progress=false"},
                           absl::Seconds(60));
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->exit_code, 0) << result->output;
  for (int i = 0; i < 6; ++i) {
    char name[32];
    std::snprintf(name, sizeof(name), "/masks/mask_%04d.png", i);
    cv::Mat mask = cv::imread(out + name, cv::IMREAD_UNCHANGED);
    ASSERT_FALSE(mask.empty()) << name;
    EXPECT_EQ(mask.size(), cv::Size(128, 128));
    EXPECT_EQ(mask.type(), CV_8UC1);
    double max_value = 0;
    cv::minMaxLoc(mask, nullptr, &max_value);
    EXPECT_LE(max_value, 3);
  }
  const std::string gif = ReadAll(out + "/overlay.gif");
  ASSERT_GT(gif.size(), 13u);
  EXPECT_EQ(gif.substr(0, 6), "GIF89a");
  EXPECT_EQ(gif.back(), '\x3B');
  EXPECT_FALSE(fs::is_empty(out + "/overlay"));
  nlohmann::json summary = nlohmann::json::parse(ReadAll(out + "/summary.json"));
  auto info = FetchModelInfo(Channel(), 5000);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(summary["model"]["weights_sha256"], info->weights_sha256());
  EXPECT_EQ(summary["frames"].size(), 6u);
  EXPECT_GT(summary["source"]["spacing_mm_x"].get<double>(), 0);
  EXPECT_EQ(summary["clip"]["frames_segmented"], 6);
}

// --partner_interval_ms: the server turns it into frames with the clip's frame rate and the
// summary records the K used; an image folder has no rate, so the client refuses it by name.
TEST_F(ClientServerTest, PartnerIntervalIsTurnedIntoFramesAndRecorded) {
  const std::string out = testing::MakeTempDir("interval_out");
  auto result =
      RunCommand({BOTM_CLIENT_BIN, "stream", "--server=" + *address_, "--input=synthetic:7:6",
                  "--out=" + out, "--progress=false", "--partner_interval_ms=100"},
                 absl::Seconds(60));
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->exit_code, 0) << result->output;
  nlohmann::json summary = nlohmann::json::parse(ReadAll(out + "/summary.json"));
  const double fps = summary["source"]["fps"].get<double>();
  ASSERT_GT(fps, 0);
  EXPECT_EQ(summary["clip"]["partner_offset"].get<int>(), PartnerOffsetForInterval(100, fps));

  const std::string in = testing::MakeTempDir("interval_folder");
  ASSERT_TRUE(cv::imwrite(in + "/frame_0.png", cv::Mat(32, 32, CV_8UC1, cv::Scalar(40))));
  auto refused = RunCommand({BOTM_CLIENT_BIN, "stream", "--server=" + *address_, "--input=" + in,
                             "--out=" + testing::MakeTempDir("interval_refused"),
                             "--progress=false", "--partner_interval_ms=100"},
                            absl::Seconds(60));
  ASSERT_TRUE(refused.ok()) << refused.status();
  EXPECT_NE(refused->exit_code, 0);
  EXPECT_NE(refused->output.find("--partner_interval_ms needs the input's frame rate"),
            std::string::npos)
      << refused->output;
}

TEST_F(ClientServerTest, FolderWithRleMasksKeepsEachFramesSize) {
  const std::string in = testing::MakeTempDir("folder_in");
  const std::string out = testing::MakeTempDir("folder_out");
  for (int i = 0; i < 3; ++i) {
    cv::Mat image(80, 96, CV_8UC3, cv::Scalar(30 * i, 60, 90));
    cv::circle(image, {48, 40}, 20, cv::Scalar(200, 200, 200), -1);
    ASSERT_TRUE(cv::imwrite(in + "/f" + std::to_string(i) + ".png", image));
  }
  auto result =
      RunCommand({BOTM_CLIENT_BIN, "stream", "--server=" + *address_, "--input=" + in,
                  "--out=" + out, "--mask_encoding=rle", "--pairing=next", "--progress=false"},
                 absl::Seconds(60));
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->exit_code, 0) << result->output;
  cv::Mat mask = cv::imread(out + "/masks/mask_0002.png", cv::IMREAD_UNCHANGED);
  EXPECT_EQ(mask.size(), cv::Size(96, 80));
}

TEST_F(ClientServerTest, RunStreamAnswersEveryFrameInOrder) {
  auto stub = botm::v1::SegmentationService::NewStub(Channel());
  StreamOptions options;
  options.max_in_flight_frames = 2;
  int next = 0;
  auto producer = [&](botm::v1::Frame* frame) -> absl::StatusOr<bool> {
    if (next == 5) return false;
    ++next;
    return FillFrame(cv::Mat(64, 64, CV_8UC1, cv::Scalar(next * 20)), WireEncoding::kRaw, frame)
        .ok();
  };
  std::vector<uint64_t> order;
  auto outcome = RunStream(stub.get(), options, producer,
                           [&](const botm::v1::FrameResult& r, double latency_ms) {
                             order.push_back(r.index());
                             EXPECT_GT(latency_ms, 0);
                           });
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_EQ(order, (std::vector<uint64_t>{0, 1, 2, 3, 4}));
  EXPECT_TRUE(outcome->has_summary);
  EXPECT_EQ(outcome->summary.frames_received(), 5u);
}

TEST_F(ClientServerTest, ServedBenchCountsFrames) {
  BenchOptions options;
  options.streams = 2;
  options.duration_s = 1;
  options.clip_frames = 4;
  auto clips = RenderBenchClips(options);
  ASSERT_TRUE(clips.ok()) << clips.status();
  auto stub = botm::v1::SegmentationService::NewStub(Channel());
  auto run = RunServedBench(stub.get(), options, *clips);
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_GT(run->frames_ok, 0);
  EXPECT_EQ(run->streams_failed, 0) << (run->errors.empty() ? "" : run->errors[0]);
  EXPECT_EQ(run->frames_ok + run->frames_failed + run->frames_dropped, run->frames_sent);
}

TEST(ClientCliTest, HealthOfUnreachableServerFailsNamingTheAddress) {
  const std::string address = "127.0.0.1:" + std::to_string(testing::PickFreePort());
  auto result =
      RunCommand({BOTM_CLIENT_BIN, "health", "--server=" + address, "--connect_timeout_ms=300"},
                 absl::Seconds(30));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_NE(result->exit_code, 0);
  EXPECT_NE(result->output.find(address), std::string::npos) << result->output;
}

TEST(ClientCliTest, BadInputPathIsAClearError) {
  auto result = RunCommand({BOTM_CLIENT_BIN, "stream", "--server=127.0.0.1:1",
                            "--input=/no/such/folder", "--out=/tmp/unused"},
                           absl::Seconds(30));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->exit_code, 1);
  EXPECT_NE(result->output.find("'/no/such/folder' does not exist"), std::string::npos)
      << result->output;
}

}  // namespace
}  // namespace botm::client
