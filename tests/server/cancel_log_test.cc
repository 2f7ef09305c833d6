// Regression tests (issue 9) with the model worker held on a gate: the slot of a cancelled
// stream comes back when the cancel arrives, and refusals and cancellations are logged as
// such, with the client's address.
#include <thread>

#include <gtest/gtest.h>

#include "server/botm_server.h"
#include "tests/server/test_calls.h"
#include "tests/server/test_util.h"

namespace botm::server {
namespace {

using testing::ConfigReq;
using testing::Connect;

struct GatedServer {
  std::shared_ptr<testing::GatedSegmenter> model;
  std::unique_ptr<BotmServer> server;
};

// A loopback server whose model blocks in Encode until `model->gate()` is notified.
GatedServer StartGated(int max_streams) {
  GatedServer g;
  g.model = std::make_shared<testing::GatedSegmenter>(testing::SharedModel());
  BotmServerOptions o = testing::LoopbackOptions(1);
  o.admission.max_streams = max_streams;
  o.engine.warmup_iterations = 0;  // warm-up would wait on the gate
  o.engine_factory = [m = g.model](const InferenceEngineOptions& engine) {
    return InferenceEngine::CreateWithModel(engine, m);
  };
  g.server = testing::StartReady(o);
  return g;
}

v1::SegmentStreamRequest FrameReq(uint64_t index) {
  return testing::FrameReq(testing::PngFrame(testing::SyntheticFrames(1)[0], index));
}

// Opens a stream whose first frame is held in the model (the worker waits on the gate).
std::unique_ptr<grpc::ClientReaderWriter<v1::SegmentStreamRequest, v1::SegmentStreamResponse>>
OpenHeldStream(v1::SegmentationService::Stub* stub, grpc::ClientContext* ctx,
               const GatedServer& g) {
  auto stream = stub->SegmentStream(ctx);
  EXPECT_TRUE(stream->Write(ConfigReq()));
  EXPECT_TRUE(stream->Write(FrameReq(0)));
  for (int i = 0; i < 500 && g.model->encode_calls() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_GE(g.model->encode_calls(), 1);
  return stream;
}

// Defect 6: the slot of a cancelled stream came back only after its frames were answered.
TEST(CancelLogTest, CancelledStreamFreesItsSlotWhenTheCancelArrives) {
  GatedServer g = StartGated(/*max_streams=*/1);
  ASSERT_NE(g.server, nullptr);
  auto stub = v1::SegmentationService::NewStub(Connect(g.server->port()));
  grpc::ClientContext a_ctx;
  auto a = OpenHeldStream(stub.get(), &a_ctx, g);
  a_ctx.TryCancel();
  // A clip call is refused at once while the slot is taken; once admitted it waits for the
  // gate. Retries cover the time the cancel takes to reach the server.
  bool admitted = false;
  v1::SegmentClipRequest req;
  *req.add_frames() = FrameReq(0).frame();
  v1::SegmentClipResponse resp;
  grpc::ClientContext b_ctx;
  absl::Notification b_done;
  grpc::Status b_status;
  for (int attempt = 0; attempt < 100 && !admitted; ++attempt) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    absl::Notification done;
    grpc::Status status;
    stub->async()->SegmentClip(ctx.get(), &req, &resp, [&](grpc::Status s) {
      status = std::move(s);
      done.Notify();
    });
    if (done.WaitForNotificationWithTimeout(absl::Seconds(2))) {
      EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    admitted = true;
    g.model->gate().Notify();
    done.WaitForNotification();
    EXPECT_TRUE(status.ok()) << status.error_message();
  }
  EXPECT_TRUE(admitted) << "the cancelled stream kept its slot";
  if (!g.model->gate().HasBeenNotified()) g.model->gate().Notify();
  EXPECT_EQ(a->Finish().error_code(), grpc::StatusCode::CANCELLED);
}

// Defect 11: refusals for too many streams were not logged.
TEST(CancelLogTest, RefusalsAreLogged) {
  GatedServer g = StartGated(/*max_streams=*/1);
  ASSERT_NE(g.server, nullptr);
  testing::LogCapture log;
  auto stub = v1::SegmentationService::NewStub(Connect(g.server->port()));
  grpc::ClientContext a_ctx;
  auto a = OpenHeldStream(stub.get(), &a_ctx, g);
  grpc::ClientContext b_ctx;
  auto b = stub->SegmentStream(&b_ctx);
  EXPECT_EQ(b->Finish().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_TRUE(log.WaitFor("too many streams"));
  bool refusal_line = false;
  for (const std::string& line : log.Lines()) {
    refusal_line |= line.find("refused") != std::string::npos &&
                    line.find("peer=ipv4:127.0.0.1:") != std::string::npos;
  }
  EXPECT_TRUE(refusal_line);
  g.model->gate().Notify();
  a->WritesDone();
  v1::SegmentStreamResponse r;
  while (a->Read(&r)) {
  }
  EXPECT_TRUE(a->Finish().ok());
}

// Defect 11: cancelled streams were logged as peer=unknown, and a cancel before the config as
// a missing-config error.
TEST(CancelLogTest, CancelsAreLoggedWithThePeerAndNotAsErrors) {
  GatedServer g = StartGated(/*max_streams=*/4);
  ASSERT_NE(g.server, nullptr);
  g.model->gate().Notify();
  testing::LogCapture log;
  auto stub = v1::SegmentationService::NewStub(Connect(g.server->port()));
  {
    grpc::ClientContext ctx;
    auto s = stub->SegmentStream(&ctx);
    ASSERT_TRUE(s->Write(ConfigReq()));
    ASSERT_TRUE(s->Write(FrameReq(0)));
    v1::SegmentStreamResponse r;
    ASSERT_TRUE(s->Read(&r));
    ctx.TryCancel();
    EXPECT_EQ(s->Finish().error_code(), grpc::StatusCode::CANCELLED);
  }
  {
    grpc::ClientContext ctx;
    auto s = stub->SegmentStream(&ctx);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the call reaches the server
    ctx.TryCancel();
    EXPECT_EQ(s->Finish().error_code(), grpc::StatusCode::CANCELLED);
  }
  ASSERT_TRUE(log.WaitFor("frames=0"));  // the second stream's end line
  int cancelled_ends = 0;
  for (const std::string& line : log.Lines()) {
    EXPECT_EQ(line.find("peer=unknown"), std::string::npos) << line;
    EXPECT_EQ(line.find("without a StreamConfig"), std::string::npos) << line;
    if (line.find("stream end") != std::string::npos) {
      EXPECT_NE(line.find("peer=ipv4:127.0.0.1:"), std::string::npos) << line;
      cancelled_ends += line.find("cancel") != std::string::npos ? 1 : 0;
    }
  }
  EXPECT_EQ(cancelled_ends, 2);
}

}  // namespace
}  // namespace botm::server
