// Regression tests (issue 9) for limits and refusals: a pixel bomb under the pixel limit, retry
// hints only for transient refusals (with google.rpc.Status details), and policing of a stream
// that sends faster than the frame rate it declared.
#include <thread>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "core/image/image_codec.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "server/botm_server.h"
#include "tests/server/test_calls.h"
#include "tests/server/test_util.h"

namespace botm::server {
namespace {

using testing::ConfigReq;
using testing::Connect;
using testing::FrameReq;
using testing::PngFrame;
using Stream = grpc::ClientReaderWriter<v1::SegmentStreamRequest, v1::SegmentStreamResponse>;

std::string Trailer(const grpc::ClientContext& ctx, const std::string& key) {
  const auto& trailers = ctx.GetServerTrailingMetadata();
  auto it = trailers.find(key);
  return it == trailers.end() ? "" : std::string(it->second.data(), it->second.size());
}

// The details of a status (google.rpc.Status in grpc-status-details-bin), parsed.
google::rpc::Status Details(const grpc::Status& s) {
  google::rpc::Status details;
  EXPECT_TRUE(details.ParseFromString(s.error_details()));
  EXPECT_EQ(details.code(), s.error_code());
  return details;
}

// Writes every request, half-closes and reads all responses; returns the final status.
grpc::Status RunStream(Stream* s, const std::vector<v1::SegmentStreamRequest>& requests,
                       std::vector<v1::SegmentStreamResponse>* out) {
  for (const auto& r : requests) {
    if (!s->Write(r)) break;
  }
  s->WritesDone();
  v1::SegmentStreamResponse resp;
  while (s->Read(&resp)) out->push_back(resp);
  return s->Finish();
}

// Defect 4: a 4096x4096 RGBA 16-bit PNG of zeros is small on the wire and under the 16 M pixel
// limit, but decodes to 128 MiB; it is refused before decoding, and the stream goes on.
TEST(LimitsTest, PixelBombUnderThePixelLimitIsRefusedByItsDecodedSize) {
  auto server = testing::StartReady(testing::LoopbackOptions(1));
  ASSERT_NE(server, nullptr);
  std::string bomb;
  {
    auto png = image::EncodePng(cv::Mat(4096, 4096, CV_16UC4, cv::Scalar::all(0)));
    ASSERT_TRUE(png.ok()) << png.status();
    bomb = *std::move(png);
  }
  ASSERT_LT(bomb.size(), 4u << 20);
  v1::Frame f0;
  f0.set_encoded(bomb);
  grpc::ClientContext ctx;
  auto stub = v1::SegmentationService::NewStub(Connect(server->port()));
  auto stream = stub->SegmentStream(&ctx);
  std::vector<v1::SegmentStreamResponse> got;
  ASSERT_TRUE(
      RunStream(stream.get(),
                {ConfigReq(), FrameReq(f0), FrameReq(PngFrame(testing::SyntheticFrames(1)[0], 1))},
                &got)
          .ok());
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].result().error().code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(got[0].result().error().message().find("bytes"), std::string::npos)
      << got[0].result().error().message();
  EXPECT_TRUE(got[1].result().has_mask());
}

// Defect 7: a clip over the frame limit cannot succeed by retrying: no retry hint, and a
// BadRequest detail names the field.
TEST(LimitsTest, PermanentRefusalHasNoRetryHint) {
  BotmServerOptions o = testing::LoopbackOptions(1);
  o.service.session.max_frames_per_clip = 2;
  auto server = testing::StartReady(o);
  ASSERT_NE(server, nullptr);
  auto stub = v1::SegmentationService::NewStub(Connect(server->port()));
  v1::SegmentClipRequest req;
  const std::vector<cv::Mat> frames = testing::SyntheticFrames(3);
  for (size_t i = 0; i < frames.size(); ++i) *req.add_frames() = PngFrame(frames[i], i);
  v1::SegmentClipResponse resp;
  grpc::ClientContext ctx;
  const grpc::Status s = stub->SegmentClip(&ctx, req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(Trailer(ctx, "retry-after-ms"), "");
  ASSERT_FALSE(s.error_details().empty()) << "no google.rpc.Status details";
  const google::rpc::Status details = Details(s);
  ASSERT_EQ(details.details_size(), 1);
  google::rpc::BadRequest bad;
  ASSERT_TRUE(details.details(0).UnpackTo(&bad)) << details.details(0).type_url();
  ASSERT_EQ(bad.field_violations_size(), 1);
  EXPECT_EQ(bad.field_violations(0).field(), "frames");
}

// Defect 7: a transient refusal carries the retry hint both as the trailer and as a
// google.rpc.RetryInfo detail.
TEST(LimitsTest, TooManyStreamsCarriesRetryInfo) {
  BotmServerOptions o = testing::LoopbackOptions(1);
  o.admission.max_streams = 1;
  auto server = testing::StartReady(o);
  ASSERT_NE(server, nullptr);
  auto stub = v1::SegmentationService::NewStub(Connect(server->port()));
  grpc::ClientContext a_ctx;
  auto a = stub->SegmentStream(&a_ctx);
  ASSERT_TRUE(a->Write(ConfigReq()));
  ASSERT_TRUE(a->Write(FrameReq(PngFrame(testing::SyntheticFrames(1)[0], 0))));
  v1::SegmentStreamResponse r;
  ASSERT_TRUE(a->Read(&r));  // admitted
  grpc::ClientContext b_ctx;
  auto b = stub->SegmentStream(&b_ctx);
  const grpc::Status s = b->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  const std::string trailer = Trailer(b_ctx, "retry-after-ms");
  ASSERT_NE(trailer, "");
  ASSERT_FALSE(s.error_details().empty()) << "no google.rpc.Status details";
  const google::rpc::Status details = Details(s);
  ASSERT_EQ(details.details_size(), 1);
  google::rpc::RetryInfo retry;
  ASSERT_TRUE(details.details(0).UnpackTo(&retry)) << details.details(0).type_url();
  EXPECT_EQ(retry.retry_delay().seconds() * 1000 + retry.retry_delay().nanos() / 1000000,
            std::stoll(trailer));
  a->WritesDone();
  while (a->Read(&r)) {
  }
  EXPECT_TRUE(a->Finish().ok());
}

// Defect 8: declaring 1 frame/s and sending flat out used to be admitted and never policed;
// the stream is now slowed to what it may use (backpressure) and every frame is answered.
TEST(LimitsTest, StreamFasterThanItsDeclaredRateIsThrottled) {
  BotmServerOptions o = testing::LoopbackOptions(1);
  o.admission.load_factor = 1.0;
  o.admission.capacity_frames_per_second = 2.0;  // fixed instead of measured at warm-up
  auto server = testing::StartReady(o);
  ASSERT_NE(server, nullptr);
  auto stub = v1::SegmentationService::NewStub(Connect(server->port()));
  v1::StreamConfig c;
  c.set_frame_rate_hz(1.0);
  std::vector<v1::SegmentStreamRequest> requests = {ConfigReq(c)};
  const std::vector<cv::Mat> frames = testing::SyntheticFrames(12);
  for (size_t i = 0; i < frames.size(); ++i) requests.push_back(FrameReq(PngFrame(frames[i], i)));
  grpc::ClientContext ctx;
  auto stream = stub->SegmentStream(&ctx);
  std::vector<v1::SegmentStreamResponse> got;
  ASSERT_TRUE(RunStream(stream.get(), requests, &got).ok());
  ASSERT_EQ(got.size(), frames.size() + 1);
  for (size_t i = 0; i < frames.size(); ++i) EXPECT_TRUE(got[i].result().has_mask()) << i;
  EXPECT_GE(testing::MetricValue(server->metrics().Serialize(), "botm_frames_throttled_total"),
            1.0);
}

// A frame larger than max_model_side_px is segmented at that side and its mask scaled back
// (nearest), so the model's time per frame stays bounded; the mask is at the frame's size.
TEST(LimitsTest, LargeFramesAreSegmentedAtTheModelSide) {
  BotmServerOptions o = testing::LoopbackOptions(1);
  o.service.max_model_side_px = 128;
  auto server = testing::StartReady(o);
  ASSERT_NE(server, nullptr);
  cv::Mat frame;
  cv::resize(testing::SyntheticFrames(1)[0], frame, cv::Size(256, 192), 0, 0, cv::INTER_LINEAR);
  cv::Mat fitted;
  cv::resize(frame, fitted, cv::Size(128, 96), 0, 0, cv::INTER_AREA);
  auto expected = testing::SharedModel()->Segment(absl::MakeConstSpan(&fitted, 1), {});
  ASSERT_TRUE(expected.ok()) << expected.status();
  cv::Mat expected_mask;
  cv::resize((*expected)[0].labels, expected_mask, frame.size(), 0, 0, cv::INTER_NEAREST);
  grpc::ClientContext ctx;
  auto stub = v1::SegmentationService::NewStub(Connect(server->port()));
  auto stream = stub->SegmentStream(&ctx);
  std::vector<v1::SegmentStreamResponse> got;
  ASSERT_TRUE(RunStream(stream.get(), {ConfigReq(), FrameReq(PngFrame(frame, 0))}, &got).ok());
  ASSERT_EQ(got.size(), 2u);
  const cv::Mat mask = testing::DecodeMask(got[0].result().mask());
  ASSERT_EQ(mask.size(), frame.size());
  EXPECT_EQ(cv::countNonZero(mask != expected_mask), 0);
}

}  // namespace
}  // namespace botm::server
