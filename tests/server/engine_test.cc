// InferenceEngine on a fake Segmenter (no model): partner chaining, flushes, explicit job
// kinds, the batch timeout on the injected clock, deadlines, the bounded queue, latest-only
// drops, cancellation, stop, encoder failures, the class check and image leases.
#include <thread>

#include <gtest/gtest.h>

#include "absl/synchronization/notification.h"
#include "server/inference_engine.h"
#include "tests/server/fake_segmenter.h"

namespace botm::server {
namespace {

using testing::FakeClock;
using testing::FakeSegmenter;
using testing::MakeJob;
using testing::TaggedImage;

InferenceEngineOptions Options(int max_batch, const Clock* clock = nullptr) {
  InferenceEngineOptions o;
  o.max_batch_size = max_batch;
  o.warmup_iterations = 1;
  o.batch_timeout_micros = 0;
  o.clock = clock;
  return o;
}

std::unique_ptr<InferenceEngine> MakeEngine(const InferenceEngineOptions& o,
                                            std::shared_ptr<FakeSegmenter> model = nullptr) {
  if (model == nullptr) model = std::make_shared<FakeSegmenter>();
  auto e = InferenceEngine::CreateWithModel(o, model);
  EXPECT_TRUE(e.ok()) << e.status();
  return e.ok() ? *std::move(e) : nullptr;
}

// Collects results; thread-safe.
struct Collector {
  absl::Mutex mu;
  std::vector<FrameJobResult> results;
  std::vector<std::thread::id> threads;
  FrameCallback Callback() {
    return [this](FrameJobResult r) {
      absl::MutexLock l(&mu);
      results.push_back(std::move(r));
      threads.push_back(std::this_thread::get_id());
    };
  }
  bool WaitFor(size_t n) {
    absl::MutexLock l(&mu);
    auto done = [this, n] { return results.size() >= n; };
    return mu.AwaitWithTimeout(absl::Condition(&done), absl::Seconds(30));
  }
  size_t size() {
    absl::MutexLock l(&mu);
    return results.size();
  }
};

std::unique_ptr<FrameJob> Flush(const EngineStreamPtr& s, FrameCallback cb) {
  auto j = std::make_unique<FrameJob>();
  j->stream = s;
  j->kind = FrameJobKind::kFlush;
  j->done = std::move(cb);
  return j;
}

// Submits frames tagged 10, 11, ... and a final flush; returns the partner tag of each frame.
std::vector<int> PartnerTags(Segmenter::Pairing pairing, int frames, int max_batch,
                             int partner_offset = 1) {
  auto engine = MakeEngine(Options(max_batch));
  EngineStreamPtr s = engine->OpenStream({pairing, false, partner_offset});
  Collector c;
  for (int i = 0; i < frames; ++i) {
    auto job = MakeJob(s, i, TaggedImage(10 + i), c.Callback());
    EXPECT_TRUE(engine->Submit(&job).ok());
    EXPECT_EQ(job, nullptr);  // consumed
  }
  auto end = Flush(s, c.Callback());
  EXPECT_TRUE(engine->Submit(&end).ok());
  EXPECT_TRUE(c.WaitFor(frames + 1));
  absl::MutexLock l(&c.mu);
  std::vector<int> tags;
  for (int i = 0; i < frames; ++i) {
    EXPECT_TRUE(c.results[i].status.ok()) << c.results[i].status;
    EXPECT_EQ(c.results[i].frame_index, static_cast<uint64_t>(i));
    EXPECT_NE(c.threads[i], std::this_thread::get_id());  // never inline
    tags.push_back(static_cast<int>(c.results[i].output.uncertainty));
  }
  return tags;
}

TEST(InferenceEngineTest, PreviousPairingPairsEachFrameWithTheOneBefore) {
  for (int batch : {1, 3}) {
    EXPECT_EQ(PartnerTags(Segmenter::Pairing::kPrevious, 5, batch),
              (std::vector<int>{10, 10, 11, 12, 13}));
  }
}

// Live pairing with partner_offset K: frame t with t-K; frame 0 alone, frames 1..K-1 with
// frame 0 (the oldest the stream has seen), whatever the batch size.
TEST(InferenceEngineTest, PartnerOffsetPairsEachFrameWithTheOneKFramesBefore) {
  for (int batch : {1, 3, 8}) {
    EXPECT_EQ(PartnerTags(Segmenter::Pairing::kPrevious, 9, batch, 3),
              (std::vector<int>{10, 10, 10, 10, 11, 12, 13, 14, 15}))
        << "batch " << batch;
    // Below 1 counts as 1.
    EXPECT_EQ(PartnerTags(Segmenter::Pairing::kPrevious, 4, batch, 0),
              (std::vector<int>{10, 10, 11, 12}));
  }
  // kNext ignores the offset: t with t+1.
  EXPECT_EQ(PartnerTags(Segmenter::Pairing::kNext, 5, 1, 4),
            (std::vector<int>{11, 12, 13, 14, 13}));
}

TEST(InferenceEngineTest, NextPairingPairsEachFrameWithTheOneAfter) {
  for (int batch : {1, 3}) {
    EXPECT_EQ(PartnerTags(Segmenter::Pairing::kNext, 5, batch),
              (std::vector<int>{11, 12, 13, 14, 13}));
  }
}

// Issue 9: a flush in the middle of a kNext stream answers the held frame at once (paired with
// its predecessor), so a frame that never reaches the engine does not freeze the stream.
TEST(InferenceEngineTest, FlushAnswersTheHeldFrameMidStream) {
  auto engine = MakeEngine(Options(1));
  EngineStreamPtr s = engine->OpenStream({Segmenter::Pairing::kNext, false});
  Collector c;
  auto f0 = MakeJob(s, 0, TaggedImage(20), c.Callback());
  ASSERT_TRUE(engine->Submit(&f0).ok());
  auto flush = Flush(s, c.Callback());
  ASSERT_TRUE(engine->Submit(&flush).ok());
  ASSERT_TRUE(c.WaitFor(2));  // frame 0 and the flush, without a successor
  auto f2 = MakeJob(s, 2, TaggedImage(22), c.Callback());
  ASSERT_TRUE(engine->Submit(&f2).ok());
  auto end = Flush(s, c.Callback());
  ASSERT_TRUE(engine->Submit(&end).ok());
  ASSERT_TRUE(c.WaitFor(4));
  absl::MutexLock l(&c.mu);
  EXPECT_EQ(c.results[0].frame_index, 0u);
  EXPECT_EQ(c.results[0].output.uncertainty, 20);  // alone: with itself
  EXPECT_EQ(c.results[2].frame_index, 2u);
  EXPECT_EQ(c.results[2].output.uncertainty, 20);  // the last frame with its predecessor
}

// Issue 9: the job kind is explicit; a flush that carried an image used to count in the queue
// depth for ever.
TEST(InferenceEngineTest, JobKindsAreCheckedAndFlushesAreNotQueued) {
  auto engine = MakeEngine(Options(1));
  EngineStreamPtr s = engine->OpenStream({});
  Collector c;
  auto empty_frame = MakeJob(s, 0, cv::Mat(), c.Callback());
  EXPECT_EQ(engine->Submit(&empty_frame).code(), absl::StatusCode::kInvalidArgument);
  auto flush_with_image = Flush(s, c.Callback());
  flush_with_image->image = TaggedImage(1);
  EXPECT_EQ(engine->Submit(&flush_with_image).code(), absl::StatusCode::kInvalidArgument);
  auto flush = Flush(s, c.Callback());
  ASSERT_TRUE(engine->Submit(&flush).ok());
  ASSERT_TRUE(c.WaitFor(1));
  EXPECT_EQ(engine->queue_depth(), 0);
  EXPECT_EQ(engine->stats().queue_depth, 0);
}

// Issue 9: the batch timeout runs on the injected clock (it used the wall clock).
TEST(InferenceEngineTest, BatchTimeoutFollowsTheInjectedClock) {
  FakeClock clock;
  InferenceEngineOptions o = Options(4, &clock);
  o.batch_timeout_micros = 3600LL * 1000 * 1000;  // an hour of fake time
  auto engine = MakeEngine(o);
  Collector c;
  auto j = MakeJob(engine->OpenStream({}), 0, TaggedImage(1), c.Callback());
  ASSERT_TRUE(engine->Submit(&j).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(c.size(), 0u) << "ran before the batch timeout";
  clock.Advance(absl::Hours(1));
  ASSERT_TRUE(c.WaitFor(1));  // at once on the fake clock, not in an hour
  absl::MutexLock l(&c.mu);
  EXPECT_EQ(c.results[0].batch_size, 1);
}

TEST(InferenceEngineTest, ExpiredDeadlineIsAnsweredWithoutRunning) {
  FakeClock clock;
  auto engine = MakeEngine(Options(1, &clock));
  Collector c;
  auto job = MakeJob(engine->OpenStream({}), 0, TaggedImage(1), c.Callback());
  job->deadline = clock.Now() - absl::Seconds(1);
  ASSERT_TRUE(engine->Submit(&job).ok());
  ASSERT_TRUE(c.WaitFor(1));
  absl::MutexLock l(&c.mu);
  EXPECT_EQ(c.results[0].status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(engine->stats().frames_run, 0);
  EXPECT_EQ(engine->stats().frames_expired, 1);
}

TEST(InferenceEngineTest, RejectsBadOptionsAndOtherClasses) {
  EXPECT_EQ(InferenceEngine::CreateWithModel(Options(0), std::make_shared<FakeSegmenter>())
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(InferenceEngine::CreateWithModel(Options(1), nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
  auto other = std::make_shared<FakeSegmenter>();
  other->mutable_info().class_names = {"background", "lv_cavity", "rv_cavity", "left_atrium"};
  absl::Status s = InferenceEngine::CreateWithModel(Options(1), other).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("rv_cavity"), std::string::npos) << s;
}

TEST(InferenceEngineTest, MeasuresCapacityAtWarmUp) {
  EXPECT_GT(MakeEngine(Options(2))->capacity_frames_per_second(), 0.0);
}

}  // namespace
}  // namespace botm::server
