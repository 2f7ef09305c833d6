// botm-server on loopback with the real model: streams, clips, model info, health, metrics,
// per-frame errors, stream errors, limits, admission, cancellation and deadlines.
#include <thread>

#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>

#include "server/botm_server.h"
#include "tests/server/test_util.h"

namespace botm::server {
namespace {

using testing::Connect;
using testing::PngFrame;
using Stream = grpc::ClientReaderWriter<v1::SegmentStreamRequest, v1::SegmentStreamResponse>;

class ServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    BotmServerOptions o = testing::LoopbackOptions(1);
    o.max_message_bytes = 1 << 20;
    o.admission.max_streams = 4;
    server_ = testing::StartReady(o).release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(server_, nullptr);
    stub_ = v1::SegmentationService::NewStub(Connect(server_->port()));
    // The previous test's calls leave the active-streams gauge in OnDone, just after their
    // status (their admission slots are free before it).
    testing::WaitForMetric([this] { return Metrics(); }, "botm_active_streams", 0.0, true);
  }
  static v1::SegmentStreamRequest Config(const v1::StreamConfig& c = {}) {
    v1::SegmentStreamRequest r;
    *r.mutable_config() = c;
    return r;
  }
  static v1::SegmentStreamRequest FrameReq(const v1::Frame& f) {
    v1::SegmentStreamRequest r;
    *r.mutable_frame() = f;
    return r;
  }
  std::string Metrics() const { return testing::HttpGet(server_->metrics_port(), "/metrics"); }

  // Streams kept open while a test runs, each admitted (it has answered a frame).
  struct HeldStreams {
    std::vector<std::unique_ptr<grpc::ClientContext>> ctxs;
    std::vector<std::unique_ptr<Stream>> streams;
  };
  // Opens `n` streams into `held`, each sent a config and `frame` and read once.
  ::testing::AssertionResult OpenAdmitted(int n, const v1::Frame& frame, HeldStreams* held) {
    for (int i = 0; i < n; ++i) {
      held->ctxs.push_back(std::make_unique<grpc::ClientContext>());
      held->streams.push_back(stub_->SegmentStream(held->ctxs.back().get()));
      Stream& s = *held->streams.back();
      v1::SegmentStreamResponse r;
      if (!s.Write(Config()) || !s.Write(FrameReq(frame)) || !s.Read(&r)) {
        return ::testing::AssertionFailure() << "stream " << i << " was not admitted";
      }
    }
    return ::testing::AssertionSuccess();
  }
  // Ends every held stream; each must finish OK.
  static void EndHeld(HeldStreams* held) {
    for (auto& s : held->streams) {
      s->WritesDone();
      v1::SegmentStreamResponse r;
      while (s->Read(&r)) {
      }
      EXPECT_TRUE(s->Finish().ok());
    }
  }

  static BotmServer* server_;
  std::unique_ptr<v1::SegmentationService::Stub> stub_;
};
BotmServer* ServerTest::server_ = nullptr;

// Streams `frames` with `config`; returns the responses and the final status.
grpc::Status StreamClip(v1::SegmentationService::Stub* stub, const v1::StreamConfig& config,
                        const std::vector<cv::Mat>& frames,
                        std::vector<v1::SegmentStreamResponse>* out) {
  grpc::ClientContext ctx;
  // A starved machine can time out the first TCP handshake: wait for the channel instead of
  // failing fast (the deadline still bounds the test).
  ctx.set_wait_for_ready(true);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
  auto stream = stub->SegmentStream(&ctx);
  v1::SegmentStreamRequest req;
  *req.mutable_config() = config;
  stream->Write(req);
  for (size_t i = 0; i < frames.size(); ++i) {
    *req.mutable_frame() = PngFrame(frames[i], i);
    stream->Write(req);
  }
  stream->WritesDone();
  v1::SegmentStreamResponse resp;
  while (stream->Read(&resp)) out->push_back(resp);
  return stream->Finish();
}

void ExpectMasksEqual(const std::vector<v1::SegmentStreamResponse>& got,
                      const std::vector<FrameOutput>& expected) {
  ASSERT_EQ(got.size(), expected.size() + 1);
  for (size_t i = 0; i < expected.size(); ++i) {
    ASSERT_TRUE(got[i].has_result());
    const v1::FrameResult& r = got[i].result();
    EXPECT_EQ(r.index(), i);
    EXPECT_FALSE(r.has_error()) << r.error().message();
    const cv::Mat mask = testing::DecodeMask(r.mask());
    ASSERT_EQ(mask.size(), expected[i].labels.size());
    EXPECT_EQ(cv::countNonZero(mask != expected[i].labels), 0) << "frame " << i;
  }
  EXPECT_TRUE(got.back().has_summary());
}

TEST_F(ServerTest, StreamMatchesInProcessSegmenter) {
  const std::vector<cv::Mat> frames = testing::SyntheticFrames(8);
  auto expected = testing::SharedModel()->SegmentClip(frames, Segmenter::Pairing::kPrevious);
  ASSERT_TRUE(expected.ok());
  v1::StreamConfig c;
  c.set_pixel_spacing_mm_x(0.3);
  c.set_pixel_spacing_mm_y(0.3);
  std::vector<v1::SegmentStreamResponse> got;
  const grpc::Status streamed = StreamClip(stub_.get(), c, frames, &got);
  ASSERT_TRUE(streamed.ok()) << streamed.error_code() << " " << streamed.error_message();
  ExpectMasksEqual(got, *expected);
  const v1::ClipSummary& s = got.back().summary();
  EXPECT_EQ(s.frames_received(), 8u);
  EXPECT_EQ(s.frames_segmented(), 8u);
  EXPECT_EQ(s.lv_area_mm2_size(), 8);
  EXPECT_EQ(got[0].result().model().weights_sha256().size(), 64u);
  EXPECT_GT(got[0].result().timing().total_ms(), 0.0);
}

TEST_F(ServerTest, NextPairingStreamMatchesInProcessSegmenter) {
  const std::vector<cv::Mat> frames = testing::SyntheticFrames(5, 11);
  auto expected = testing::SharedModel()->SegmentClip(frames, Segmenter::Pairing::kNext);
  ASSERT_TRUE(expected.ok());
  v1::StreamConfig c;
  c.set_pairing(v1::PAIRING_MODE_NEXT);
  c.set_mask_encoding(v1::MASK_ENCODING_RLE);
  std::vector<v1::SegmentStreamResponse> got;
  const grpc::Status streamed = StreamClip(stub_.get(), c, frames, &got);
  ASSERT_TRUE(streamed.ok()) << streamed.error_code() << " " << streamed.error_message();
  ExpectMasksEqual(got, *expected);
}

// StreamConfig.partner_offset reaches the engine: the stream matches the in-process clip with
// the same offset (which differs from adjacent pairing on these frames), and 0 means the card's.
TEST_F(ServerTest, PartnerOffsetStreamMatchesInProcessSegmenter) {
  const std::vector<cv::Mat> frames = testing::SyntheticFrames(8, 5);
  Segmenter& model = *testing::SharedModel();
  auto offset3 = model.SegmentClip(frames, Segmenter::Pairing::kPrevious, 1, 3);
  auto adjacent = model.SegmentClip(frames, Segmenter::Pairing::kPrevious, 1, 1);
  ASSERT_TRUE(offset3.ok() && adjacent.ok());
  int differing = 0;
  for (size_t i = 0; i < frames.size(); ++i) {
    differing += cv::countNonZero((*offset3)[i].labels != (*adjacent)[i].labels);
  }
  EXPECT_GT(differing, 0) << "the test frames do not tell the offsets apart";
  v1::StreamConfig c;
  c.set_partner_offset(3);
  std::vector<v1::SegmentStreamResponse> got;
  grpc::Status streamed = StreamClip(stub_.get(), c, frames, &got);
  ASSERT_TRUE(streamed.ok()) << streamed.error_code() << " " << streamed.error_message();
  ExpectMasksEqual(got, *offset3);
  // 0 = the model card's offset, which GetModelInfo reports.
  auto card_default = model.SegmentClip(frames, Segmenter::Pairing::kPrevious);
  ASSERT_TRUE(card_default.ok());
  got.clear();
  streamed = StreamClip(stub_.get(), {}, frames, &got);
  ASSERT_TRUE(streamed.ok()) << streamed.error_code() << " " << streamed.error_message();
  ExpectMasksEqual(got, *card_default);
  v1::GetModelInfoResponse info;
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub_->GetModelInfo(&ctx, {}, &info).ok());
  EXPECT_EQ(info.partner_offset(), static_cast<uint32_t>(model.info().partner_offset));
}

// StreamConfig.partner_interval_ms reaches the engine as frames from the declared rate: 150 ms
// at 20 frames/s is frame t-3, the same masks as the in-process clip with offset 3; the model's
// interval (0 for the test model) is what GetModelInfo reports.
TEST_F(ServerTest, PartnerIntervalStreamMatchesTheOffsetItSpans) {
  const std::vector<cv::Mat> frames = testing::SyntheticFrames(8, 5);
  Segmenter& model = *testing::SharedModel();
  auto offset3 = model.SegmentClip(frames, Segmenter::Pairing::kPrevious, 1, 3);
  ASSERT_TRUE(offset3.ok());
  v1::StreamConfig c;
  c.set_frame_rate_hz(20);
  c.set_partner_interval_ms(150);
  std::vector<v1::SegmentStreamResponse> got;
  grpc::Status streamed = StreamClip(stub_.get(), c, frames, &got);
  ASSERT_TRUE(streamed.ok()) << streamed.error_code() << " " << streamed.error_message();
  ExpectMasksEqual(got, *offset3);
  ASSERT_FALSE(got.empty());
  ASSERT_TRUE(got.back().has_summary());
  EXPECT_EQ(got.back().summary().partner_offset(), 3u);  // the summary records the K used
  v1::GetModelInfoResponse info;
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub_->GetModelInfo(&ctx, {}, &info).ok());
  EXPECT_EQ(info.partner_interval_ms(), static_cast<uint32_t>(model.info().partner_interval_ms));
}

TEST_F(ServerTest, UnaryClip) {
  const std::vector<cv::Mat> frames = testing::SyntheticFrames(5, 3);
  auto expected = testing::SharedModel()->SegmentClip(frames, Segmenter::Pairing::kPrevious);
  ASSERT_TRUE(expected.ok());
  v1::SegmentClipRequest req;
  req.mutable_config()->set_return_contours(true);
  for (size_t i = 0; i < frames.size(); ++i) *req.add_frames() = PngFrame(frames[i], i);
  v1::SegmentClipResponse resp;
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub_->SegmentClip(&ctx, req, &resp).ok());
  ASSERT_EQ(resp.results_size(), 5);
  for (int i = 0; i < 5; ++i) {
    const cv::Mat mask = testing::DecodeMask(resp.results(i).mask());
    EXPECT_EQ(cv::countNonZero(mask != (*expected)[i].labels), 0);
  }
  EXPECT_EQ(resp.summary().frames_segmented(), 5u);
}

TEST_F(ServerTest, GetModelInfoAndHealth) {
  v1::GetModelInfoResponse info;
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub_->GetModelInfo(&ctx, {}, &info).ok());
  EXPECT_EQ(info.name(), testing::SharedModel()->info().name);
  EXPECT_EQ(info.weights_sha256(), testing::SharedModel()->info().weights_sha256);
  EXPECT_EQ(info.instances(), 1u);
  EXPECT_EQ(info.class_names_size(), 4);
  auto channel = Connect(server_->port());
  EXPECT_EQ(testing::HealthStatus(channel, ""), "SERVING");
  EXPECT_EQ(testing::HealthStatus(channel, kServiceName), "SERVING");
}

TEST_F(ServerTest, MetricsAreScrapedAndCountersMove) {
  const std::string before = Metrics();
  ASSERT_NE(before.find("200 OK"), std::string::npos) << before.substr(0, 200);
  const double ok_before = testing::MetricValue(before, "botm_frames_total{outcome=\"ok\"}");
  std::vector<v1::SegmentStreamResponse> got;
  ASSERT_TRUE(StreamClip(stub_.get(), {}, testing::SyntheticFrames(2), &got).ok());
  auto scrape = [this] { return Metrics(); };
  EXPECT_EQ(testing::WaitForMetric(scrape, "botm_active_streams", 0.0, /*exact=*/true), 0.0);
  const std::string after = Metrics();
  EXPECT_EQ(testing::MetricValue(after, "botm_frames_total{outcome=\"ok\"}"), ok_before + 2);
  EXPECT_GE(testing::MetricValue(after, "botm_streams_total{outcome=\"ok\"}"), 1.0);
  EXPECT_NE(after.find("botm_model_info{"), std::string::npos);
  EXPECT_NE(after.find("botm_phase_latency_seconds_count{phase=\"inference\"}"), std::string::npos);
  EXPECT_GE(testing::MetricValue(after, "botm_batch_size_count"), 2.0);
  EXPECT_EQ(testing::MetricValue(after, "botm_active_streams"), 0.0);
}

TEST_F(ServerTest, BadFramesGetPerFrameErrorsAndTheStreamGoesOn) {
  const cv::Mat good = testing::SyntheticFrames(1)[0];
  grpc::ClientContext ctx;
  auto stream = stub_->SegmentStream(&ctx);
  ASSERT_TRUE(stream->Write(Config()));
  v1::Frame garbage;
  garbage.set_encoded("\x89PNG but not really");
  v1::Frame zero;
  zero.mutable_raw()->set_channels(1);
  zero.mutable_raw()->set_bits_per_sample(8);
  v1::Frame huge;  // 5000 x 5000 > the 16 M pixel limit; refused before any allocation
  huge.mutable_raw()->set_width(5000);
  huge.mutable_raw()->set_height(5000);
  huge.mutable_raw()->set_channels(1);
  huge.mutable_raw()->set_bits_per_sample(8);
  v1::Frame two_channels;
  two_channels.mutable_raw()->set_width(16);
  two_channels.mutable_raw()->set_height(16);
  two_channels.mutable_raw()->set_channels(2);
  two_channels.mutable_raw()->set_bits_per_sample(8);
  two_channels.mutable_raw()->set_data(std::string(512, '\0'));
  std::vector<v1::Frame> frames = {garbage, zero, huge, two_channels, PngFrame(good, 4)};
  for (size_t i = 0; i < frames.size(); ++i) {
    frames[i].set_index(i);
    ASSERT_TRUE(stream->Write(FrameReq(frames[i])));
  }
  stream->WritesDone();
  std::vector<v1::SegmentStreamResponse> got;
  v1::SegmentStreamResponse r;
  while (stream->Read(&r)) got.push_back(r);
  ASSERT_TRUE(stream->Finish().ok());
  ASSERT_EQ(got.size(), 6u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(got[i].result().error().code(), grpc::StatusCode::INVALID_ARGUMENT) << i;
    EXPECT_FALSE(got[i].result().has_mask());
  }
  EXPECT_FALSE(got[4].result().has_error());
  EXPECT_TRUE(got[4].result().has_mask());
  EXPECT_EQ(got[5].summary().frames_failed(), 4u);
  EXPECT_EQ(got[5].summary().frames_segmented(), 1u);
}

grpc::Status FailingStream(v1::SegmentationService::Stub* stub,
                           const std::vector<v1::SegmentStreamRequest>& requests) {
  grpc::ClientContext ctx;
  auto stream = stub->SegmentStream(&ctx);
  for (const auto& r : requests) {
    if (!stream->Write(r)) break;
  }
  stream->WritesDone();
  v1::SegmentStreamResponse resp;
  while (stream->Read(&resp)) {
  }
  return stream->Finish();
}

TEST_F(ServerTest, BrokenStreamsEndWithPreciseStatus) {
  const v1::Frame f0 = PngFrame(testing::SyntheticFrames(1)[0], 0);
  v1::Frame f2 = f0;
  f2.set_index(2);
  EXPECT_EQ(FailingStream(stub_.get(), {FrameReq(f0)}).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(FailingStream(stub_.get(), {Config(), FrameReq(f0), FrameReq(f2)}).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(FailingStream(stub_.get(), {Config(), Config()}).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  v1::StreamConfig bad;
  bad.set_model_name("no-such-model");
  EXPECT_EQ(FailingStream(stub_.get(), {Config(bad)}).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  v1::StreamConfig far;
  far.set_partner_offset(65);
  EXPECT_EQ(FailingStream(stub_.get(), {Config(far)}).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  v1::StreamConfig interval_without_rate;
  interval_without_rate.set_partner_interval_ms(200);
  EXPECT_EQ(FailingStream(stub_.get(), {Config(interval_without_rate)}).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  v1::StreamConfig next_offset;
  next_offset.set_pairing(v1::PAIRING_MODE_NEXT);
  next_offset.set_partner_offset(2);
  EXPECT_EQ(FailingStream(stub_.get(), {Config(next_offset)}).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  v1::SegmentStreamRequest big = FrameReq(f0);
  big.mutable_frame()->set_encoded(std::string(2 << 20, 'x'));
  EXPECT_EQ(FailingStream(stub_.get(), {Config(), big}).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  // The server keeps serving.
  std::vector<v1::SegmentStreamResponse> got;
  EXPECT_TRUE(StreamClip(stub_.get(), {}, testing::SyntheticFrames(1), &got).ok());
  EXPECT_EQ(got.size(), 2u);
}

// A call's admission slot is free by the time its client sees the final status: with all but
// one of the 4 slots held, every stream that ends in an error is followed at once by one that
// is admitted. (The slot used to be freed in OnDone, after the status had gone out, and a quick
// reconnect was refused as one stream too many now and then.)
TEST_F(ServerTest, EndedStreamsFreeTheirSlotBeforeTheStatus) {
  HeldStreams held;
  ASSERT_TRUE(OpenAdmitted(3, PngFrame(testing::SyntheticFrames(1)[0], 0), &held));
  for (int i = 0; i < 40; ++i) {
    ASSERT_EQ(FailingStream(stub_.get(), {Config(), Config()}).error_code(),
              grpc::StatusCode::FAILED_PRECONDITION)
        << "iteration " << i;
  }
  EndHeld(&held);
}

TEST_F(ServerTest, TooManyStreamsAreRefusedWithRetryHint) {
  HeldStreams open;  // max_streams = 4; a response proves admission
  ASSERT_TRUE(OpenAdmitted(4, PngFrame(testing::SyntheticFrames(1)[0], 0), &open));
  grpc::ClientContext ctx;
  auto extra = stub_->SegmentStream(&ctx);
  extra->Write(Config());
  v1::SegmentStreamResponse r;
  EXPECT_FALSE(extra->Read(&r));
  EXPECT_EQ(extra->Finish().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  const auto& trailers = ctx.GetServerTrailingMetadata();
  ASSERT_EQ(trailers.count("retry-after-ms"), 1u);
  EXPECT_GT(std::stoi(std::string(trailers.find("retry-after-ms")->second.data(),
                                  trailers.find("retry-after-ms")->second.size())),
            0);
  EndHeld(&open);
}

TEST_F(ServerTest, ClientCancelFreesTheSession) {
  const std::vector<cv::Mat> frames = testing::SyntheticFrames(6);
  grpc::ClientContext ctx;
  auto stream = stub_->SegmentStream(&ctx);
  ASSERT_TRUE(stream->Write(Config()));
  for (size_t i = 0; i < frames.size(); ++i) stream->Write(FrameReq(PngFrame(frames[i], i)));
  v1::SegmentStreamResponse r;
  ASSERT_TRUE(stream->Read(&r));
  ctx.TryCancel();
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::CANCELLED);
  auto scrape = [this] { return Metrics(); };
  EXPECT_EQ(testing::WaitForMetric(scrape, "botm_active_streams", 0.0, /*exact=*/true), 0.0);
  EXPECT_GE(testing::MetricValue(Metrics(), "botm_streams_total{outcome=\"cancelled\"}"), 1.0);
}

TEST_F(ServerTest, ExpiredDeadlineIsDeadlineExceeded) {
  const std::vector<cv::Mat> frames = testing::SyntheticFrames(12);
  v1::SegmentClipRequest req;
  for (size_t i = 0; i < frames.size(); ++i) *req.add_frames() = PngFrame(frames[i], i);
  v1::SegmentClipResponse resp;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(20));
  EXPECT_EQ(stub_->SegmentClip(&ctx, req, &resp).error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  // Still serving afterwards.
  v1::GetModelInfoResponse info;
  grpc::ClientContext ctx2;
  EXPECT_TRUE(stub_->GetModelInfo(&ctx2, {}, &info).ok());
}

TEST_F(ServerTest, LatestOnlyDropsAreAnsweredAndCounted) {
  const std::vector<cv::Mat> frames = testing::SyntheticFrames(16);
  const double dropped_before =
      testing::MetricValue(Metrics(), "botm_frames_total{outcome=\"dropped\"}");
  v1::StreamConfig c;
  c.set_overflow(v1::OVERFLOW_POLICY_LATEST_ONLY);
  std::vector<v1::SegmentStreamResponse> got;
  const grpc::Status streamed = StreamClip(stub_.get(), c, frames, &got);
  ASSERT_TRUE(streamed.ok()) << streamed.error_code() << " " << streamed.error_message();
  ASSERT_EQ(got.size(), frames.size() + 1);
  uint64_t dropped = 0;
  for (size_t i = 0; i < frames.size(); ++i) {
    EXPECT_EQ(got[i].result().index(), i);
    EXPECT_TRUE(got[i].result().dropped() || got[i].result().has_mask());
    dropped += got[i].result().dropped() ? 1 : 0;
  }
  EXPECT_FALSE(got[frames.size() - 1].result().dropped());  // the newest always runs
  EXPECT_EQ(got.back().summary().frames_dropped(), dropped);
  EXPECT_EQ(testing::MetricValue(Metrics(), "botm_frames_total{outcome=\"dropped\"}"),
            dropped_before + dropped);
}

// Server reflection, spoken with a generic stub (reflection.proto is not compiled here):
// ServerReflectionRequest{list_services: ""} is field 7, length-delimited, empty.
TEST_F(ServerTest, ReflectionListsTheService) {
  grpc::GenericStub generic(Connect(server_->port()));
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  auto call = generic.PrepareCall(
      &ctx, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  void* tag = nullptr;
  bool ok = false;
  auto step = [&](intptr_t expected) {
    EXPECT_TRUE(cq.Next(&tag, &ok));
    EXPECT_EQ(reinterpret_cast<intptr_t>(tag), expected);
    return ok;
  };
  call->StartCall(reinterpret_cast<void*>(1));
  ASSERT_TRUE(step(1));
  grpc::Slice slice(std::string("\x3a\x00", 2));
  grpc::ByteBuffer request(&slice, 1);
  call->Write(request, reinterpret_cast<void*>(2));
  ASSERT_TRUE(step(2));
  grpc::ByteBuffer response;
  call->Read(&response, reinterpret_cast<void*>(3));
  ASSERT_TRUE(step(3));
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(response.Dump(&slices).ok());
  std::string bytes;
  for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  EXPECT_NE(bytes.find("botm.v1.SegmentationService"), std::string::npos);
  EXPECT_NE(bytes.find("grpc.health.v1.Health"), std::string::npos);
  call->WritesDone(reinterpret_cast<void*>(4));
  step(4);
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  step(5);
  EXPECT_TRUE(status.ok()) << status.error_message();
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
}

}  // namespace
}  // namespace botm::server
