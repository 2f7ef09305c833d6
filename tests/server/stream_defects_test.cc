// Regression tests for what an outside test broke in the stream protocol (issue 9): a
// PAIRING_MODE_NEXT stream that froze after undecodable frames, unparsable messages ending a
// stream with OK or answered UNIMPLEMENTED, slots of cancelled streams coming back late, and
// the log lines of refusals and cancellations.
#include <thread>

#include <gtest/gtest.h>

#include "server/botm_server.h"
#include "tests/server/test_calls.h"
#include "tests/server/test_util.h"

namespace botm::server {
namespace {

using testing::ConfigReq;
using testing::Connect;
using testing::FrameReq;
using testing::PngFrame;

constexpr char kStreamMethod[] = "/botm.v1.SegmentationService/SegmentStream";

class StreamDefectsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    BotmServerOptions o = testing::LoopbackOptions(1);
    o.max_message_bytes = 1 << 20;
    server_ = testing::StartReady(o).release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(server_, nullptr); }
  static BotmServer* server_;
};
BotmServer* StreamDefectsTest::server_ = nullptr;

// Defect 1: frame 0 is held for its successor; 8 undecodable frames filled the per-stream
// window behind it and the stream stopped reading for ever.
TEST_F(StreamDefectsTest, NextPairingSurvivesManyUndecodableFramesInARow) {
  const std::vector<cv::Mat> frames = testing::SyntheticFrames(2);
  std::vector<std::string> requests;
  v1::StreamConfig config;
  config.set_pairing(v1::PAIRING_MODE_NEXT);
  requests.push_back(ConfigReq(config).SerializeAsString());
  requests.push_back(FrameReq(PngFrame(frames[0], 0)).SerializeAsString());
  for (uint64_t i = 1; i <= 8; ++i) {
    v1::Frame bad;
    bad.set_index(i);
    bad.set_encoded("not an image");
    requests.push_back(FrameReq(bad).SerializeAsString());
  }
  requests.push_back(FrameReq(PngFrame(frames[1], 9)).SerializeAsString());
  const testing::RawCallResult r =
      testing::RawStreamCall(Connect(server_->port()), kStreamMethod, requests, absl::Seconds(60));
  ASSERT_TRUE(r.status.ok()) << r.status.error_code() << " " << r.status.error_message();
  ASSERT_EQ(r.responses.size(), 11u);
  for (uint64_t i = 0; i < 10; ++i) {
    v1::SegmentStreamResponse resp;
    ASSERT_TRUE(resp.ParseFromString(r.responses[i]));
    EXPECT_EQ(resp.result().index(), i);
    const bool good = i == 0 || i == 9;
    EXPECT_EQ(resp.result().has_mask(), good) << i;
    EXPECT_EQ(resp.result().error().code(), good ? 0 : grpc::StatusCode::INVALID_ARGUMENT) << i;
  }
  v1::SegmentStreamResponse last;
  ASSERT_TRUE(last.ParseFromString(r.responses[10]));
  EXPECT_EQ(last.summary().frames_segmented(), 2u);
  EXPECT_EQ(last.summary().frames_failed(), 8u);
}

// Defect 2: bytes that do not parse as a SegmentStreamRequest ended the stream with OK and the
// later frames vanished.
TEST_F(StreamDefectsTest, UnparsableMessageMidStreamFailsWithInvalidArgument) {
  const std::vector<cv::Mat> frames = testing::SyntheticFrames(2);
  const testing::RawCallResult r = testing::RawStreamCall(
      Connect(server_->port()), kStreamMethod,
      {ConfigReq().SerializeAsString(), FrameReq(PngFrame(frames[0], 0)).SerializeAsString(),
       std::string("\xff\xff\xff", 3), FrameReq(PngFrame(frames[1], 1)).SerializeAsString()});
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(r.status.error_message().find("SegmentStreamRequest"), std::string::npos)
      << r.status.error_message();
  for (const std::string& bytes : r.responses) {
    v1::SegmentStreamResponse resp;
    ASSERT_TRUE(resp.ParseFromString(bytes));
    EXPECT_FALSE(resp.has_summary()) << "a failed stream has no summary";
  }
}

// Defect 3: unparsable unary requests were answered UNIMPLEMENTED with an empty message.
TEST_F(StreamDefectsTest, UnparsableClipAndModelInfoRequestsAreInvalidArgument) {
  auto channel = Connect(server_->port());
  for (const char* method :
       {"/botm.v1.SegmentationService/SegmentClip", "/botm.v1.SegmentationService/GetModelInfo"}) {
    const testing::RawCallResult r =
        testing::RawUnaryCall(channel, method, std::string("\xff\xff\xff", 3));
    EXPECT_EQ(r.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << method;
    EXPECT_NE(r.status.error_message().find("does not parse"), std::string::npos)
        << method << ": " << r.status.error_message();
  }
  // The server keeps serving.
  v1::GetModelInfoResponse info;
  grpc::ClientContext ctx;
  EXPECT_TRUE(v1::SegmentationService::NewStub(channel)->GetModelInfo(&ctx, {}, &info).ok());
}

}  // namespace
}  // namespace botm::server
