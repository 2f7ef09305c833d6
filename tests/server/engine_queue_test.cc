// InferenceEngine on a fake Segmenter, the queue side: the bounded queue, latest-only drops,
// cancellation, stop, batching across streams, encoder failures and image leases.
#include <thread>

#include <gtest/gtest.h>

#include "absl/synchronization/notification.h"
#include "server/inference_engine.h"
#include "tests/server/fake_segmenter.h"

namespace botm::server {
namespace {

using testing::FakeSegmenter;
using testing::MakeJob;
using testing::TaggedImage;

struct Results {
  absl::Mutex mu;
  std::vector<FrameJobResult> all;
  FrameCallback Callback() {
    return [this](FrameJobResult r) {
      absl::MutexLock l(&mu);
      all.push_back(std::move(r));
    };
  }
  bool WaitFor(size_t n) {
    absl::MutexLock l(&mu);
    auto done = [this, n] { return all.size() >= n; };
    return mu.AwaitWithTimeout(absl::Condition(&done), absl::Seconds(30));
  }
};

// An engine whose single worker is held inside Encode of a first frame until Release().
struct HeldEngine {
  explicit HeldEngine(int max_batch, int max_queue = 64) {
    model = std::make_shared<FakeSegmenter>();
    InferenceEngineOptions o;
    o.max_batch_size = max_batch;
    o.max_queue_frames = max_queue;
    o.batch_timeout_micros = 0;
    o.warmup_iterations = 0;
    engine = *InferenceEngine::CreateWithModel(o, model);
    model->CloseGate();
    auto first = MakeJob(engine->OpenStream({}), 0, TaggedImage(1), first_done.Callback());
    EXPECT_TRUE(engine->Submit(&first).ok());
    while (model->encode_calls() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  void Release() { model->gate().Notify(); }
  std::shared_ptr<FakeSegmenter> model;
  std::unique_ptr<InferenceEngine> engine;
  Results first_done;
};

TEST(EngineQueueTest, FullQueueRefusesAndDoesNotConsume) {
  HeldEngine h(1, /*max_queue=*/1);
  Results r;
  EngineStreamPtr b = h.engine->OpenStream({});
  auto second = MakeJob(b, 0, TaggedImage(2), r.Callback());
  ASSERT_TRUE(h.engine->Submit(&second).ok());
  auto third = MakeJob(b, 1, TaggedImage(3), r.Callback());
  EXPECT_EQ(h.engine->Submit(&third).code(), absl::StatusCode::kResourceExhausted);
  ASSERT_NE(third, nullptr);  // not consumed
  EXPECT_EQ(third->frame_index, 1u);
  EXPECT_EQ(h.engine->queue_depth(), 1);
  h.Release();
  ASSERT_TRUE(r.WaitFor(1));
  ASSERT_TRUE(h.engine->Submit(&third).ok());
  ASSERT_TRUE(r.WaitFor(2));
}

TEST(EngineQueueTest, LatestOnlyDropsOlderWaitingFrames) {
  HeldEngine h(1);
  Results r;
  EngineStreamPtr live = h.engine->OpenStream({Segmenter::Pairing::kPrevious, true});
  for (uint64_t i = 0; i < 3; ++i) {
    auto j = MakeJob(live, i, TaggedImage(10 + i), r.Callback());
    ASSERT_TRUE(h.engine->Submit(&j).ok());
  }
  EXPECT_EQ(h.engine->queue_depth(), 1);
  h.Release();
  ASSERT_TRUE(r.WaitFor(3));
  absl::MutexLock l(&r.mu);
  EXPECT_TRUE(r.all[0].dropped);
  EXPECT_TRUE(r.all[1].dropped);
  EXPECT_FALSE(r.all[2].dropped);
  EXPECT_TRUE(r.all[2].status.ok());
  EXPECT_FALSE(r.all[2].output.labels.empty());
  EXPECT_EQ(h.engine->stats().frames_dropped, 2);
}

TEST(EngineQueueTest, CancelledStreamIsAnsweredCancelledAndRefused) {
  HeldEngine h(1);
  Results r;
  EngineStreamPtr s = h.engine->OpenStream({});
  auto j = MakeJob(s, 0, TaggedImage(5), r.Callback());
  ASSERT_TRUE(h.engine->Submit(&j).ok());
  h.engine->CancelStream(s);
  EXPECT_EQ(h.engine->queue_depth(), 0);
  auto late = MakeJob(s, 1, TaggedImage(6), r.Callback());
  EXPECT_EQ(h.engine->Submit(&late).code(), absl::StatusCode::kInvalidArgument);
  h.Release();
  ASSERT_TRUE(r.WaitFor(1));
  absl::MutexLock l(&r.mu);
  EXPECT_EQ(r.all[0].status.code(), absl::StatusCode::kCancelled);
}

TEST(EngineQueueTest, StopAnswersWaitingFramesThenRefuses) {
  HeldEngine h(2);
  Results r;
  EngineStreamPtr s = h.engine->OpenStream({});
  for (uint64_t i = 0; i < 3; ++i) {
    auto j = MakeJob(s, i, TaggedImage(10 + i), r.Callback());
    ASSERT_TRUE(h.engine->Submit(&j).ok());
  }
  std::thread stopper([&] { h.engine->Stop(); });
  h.Release();
  stopper.join();
  {
    absl::MutexLock l(&r.mu);
    EXPECT_EQ(r.all.size(), 3u);
  }
  auto j = MakeJob(s, 3, TaggedImage(1), r.Callback());
  EXPECT_EQ(h.engine->Submit(&j).code(), absl::StatusCode::kUnavailable);
}

TEST(EngineQueueTest, BatchesFramesOfSeveralStreams) {
  HeldEngine h(4);
  Results r;
  for (int i = 0; i < 4; ++i) {
    auto j = MakeJob(h.engine->OpenStream({}), 0, TaggedImage(10 + i), r.Callback());
    ASSERT_TRUE(h.engine->Submit(&j).ok());
  }
  h.Release();  // all four are waiting: one batch
  ASSERT_TRUE(r.WaitFor(4));
  absl::MutexLock l(&r.mu);
  for (const auto& res : r.all)
    EXPECT_EQ(res.batch_size, 4) << res.status << " dropped=" << res.dropped;
}

TEST(EngineQueueTest, EncoderFailureFailsOnlyThatFrame) {
  HeldEngine h(4);
  Results r;
  EngineStreamPtr s = h.engine->OpenStream({});
  const int tags[] = {10, testing::kFailingTag, 12};
  for (uint64_t i = 0; i < 3; ++i) {
    auto j = MakeJob(s, i, TaggedImage(tags[i]), r.Callback());
    ASSERT_TRUE(h.engine->Submit(&j).ok());
  }
  h.Release();
  ASSERT_TRUE(r.WaitFor(3));
  absl::MutexLock l(&r.mu);
  EXPECT_TRUE(r.all[0].status.ok());
  EXPECT_EQ(r.all[1].status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(r.all[2].status.ok());
  EXPECT_EQ(r.all[2].output.uncertainty, 10);  // paired with the last frame that encoded
}

// A job's lease (e.g. decode budget) goes with its image, before the callback runs.
TEST(EngineQueueTest, LeaseIsReleasedOnceTheImageIsEncoded) {
  struct Lease : ImageLease {
    explicit Lease(std::atomic<int>* live) : live(live) { ++*live; }
    ~Lease() override { --*live; }
    std::atomic<int>* live;
  };
  std::atomic<int> live{0};
  HeldEngine h(1);
  absl::Notification seen;
  int live_in_callback = -1;
  auto j = MakeJob(h.engine->OpenStream({}), 0, TaggedImage(3), [&](FrameJobResult) {
    live_in_callback = live.load();
    seen.Notify();
  });
  j->lease = std::make_unique<Lease>(&live);
  ASSERT_TRUE(h.engine->Submit(&j).ok());
  EXPECT_EQ(live.load(), 1);
  h.Release();
  seen.WaitForNotification();
  EXPECT_EQ(live_in_callback, 0);
}

}  // namespace
}  // namespace botm::server
