// InferenceEngine on the real model: partner chaining, ordering, deadlines, the bounded queue,
// latest-only drops, cancellation and stop.
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/synchronization/notification.h"
#include "server/inference_engine.h"
#include "tests/server/test_util.h"

namespace botm::server {
namespace {

using testing::SharedModel;

InferenceEngineOptions SmallOptions(int max_batch) {
  InferenceEngineOptions o;
  o.max_batch_size = max_batch;
  o.warmup_iterations = 1;
  return o;
}

std::unique_ptr<InferenceEngine> MakeEngine(const InferenceEngineOptions& o) {
  auto e = InferenceEngine::CreateWithModel(o, SharedModel());
  EXPECT_TRUE(e.ok()) << e.status();
  return e.ok() ? std::move(*e) : nullptr;
}

// Collects results of one stream; thread-safe.
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
    return mu.AwaitWithTimeout(absl::Condition(&done), absl::Seconds(120));
  }
};

std::unique_ptr<FrameJob> Job(const EngineStreamPtr& s, uint64_t index, const cv::Mat& img,
                              FrameCallback cb) {
  auto j = std::make_unique<FrameJob>();
  j->stream = s;
  j->frame_index = index;
  j->image = img;
  j->done = std::move(cb);
  return j;
}

void ExpectSameLabels(const cv::Mat& a, const cv::Mat& b) {
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(cv::countNonZero(a != b), 0);
}

void RunClip(Segmenter::Pairing pairing, int max_batch) {
  const std::vector<cv::Mat> frames = testing::SyntheticFrames(6);
  auto expected = SharedModel()->SegmentClip(frames, pairing, 1);
  ASSERT_TRUE(expected.ok()) << expected.status();
  auto engine = MakeEngine(SmallOptions(max_batch));
  EngineStreamPtr s = engine->OpenStream({pairing, false});
  Collector c;
  for (size_t i = 0; i < frames.size(); ++i) {
    auto job = Job(s, i, frames[i], c.Callback());
    ASSERT_TRUE(engine->Submit(&job).ok());
    EXPECT_EQ(job, nullptr);  // consumed
  }
  auto end = std::make_unique<FrameJob>();
  end->stream = s;
  end->end_of_stream = true;
  end->done = c.Callback();
  ASSERT_TRUE(engine->Submit(&end).ok());
  ASSERT_TRUE(c.WaitFor(frames.size() + 1));
  absl::MutexLock l(&c.mu);
  for (size_t i = 0; i < frames.size(); ++i) {
    ASSERT_TRUE(c.results[i].status.ok()) << c.results[i].status;
    EXPECT_EQ(c.results[i].frame_index, i);
    ExpectSameLabels(c.results[i].output.labels, (*expected)[i].labels);
    EXPECT_NE(c.threads[i], std::this_thread::get_id());  // never inline
  }
  EXPECT_EQ(engine->stats().frames_run, static_cast<int64_t>(frames.size()));
}

TEST(InferenceEngineTest, PreviousPairingMatchesInProcessClip) {
  RunClip(Segmenter::Pairing::kPrevious, 1);
}

TEST(InferenceEngineTest, NextPairingMatchesInProcessClip) {
  RunClip(Segmenter::Pairing::kNext, 1);
}

TEST(InferenceEngineTest, RejectsBadOptions) {
  InferenceEngineOptions o = SmallOptions(0);
  EXPECT_EQ(InferenceEngine::CreateWithModel(o, SharedModel()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(InferenceEngine::CreateWithModel(SmallOptions(1), nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(InferenceEngineTest, MeasuresCapacityAtWarmUp) {
  auto engine = MakeEngine(SmallOptions(2));
  EXPECT_GT(engine->capacity_frames_per_second(), 0.0);
}

TEST(InferenceEngineTest, ExpiredDeadlineIsAnsweredWithoutRunning) {
  absl::Time now = absl::FromUnixSeconds(1000);
  InferenceEngineOptions o = SmallOptions(1);
  o.clock = [&now] { return now; };
  auto engine = MakeEngine(o);
  EngineStreamPtr s = engine->OpenStream({});
  Collector c;
  auto job = Job(s, 0, testing::SyntheticFrames(1)[0], c.Callback());
  job->deadline = now - absl::Seconds(1);
  ASSERT_TRUE(engine->Submit(&job).ok());
  ASSERT_TRUE(c.WaitFor(1));
  absl::MutexLock l(&c.mu);
  EXPECT_EQ(c.results[0].status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(engine->stats().frames_run, 0);
  EXPECT_EQ(engine->stats().frames_expired, 1);
}

// Occupies the single worker: the first frame's callback blocks until released.
struct BlockedWorker {
  absl::Notification entered, release;
  FrameCallback Callback() {
    return [this](FrameJobResult) {
      entered.Notify();
      release.WaitForNotification();
    };
  }
};

TEST(InferenceEngineTest, FullQueueRefusesAndDoesNotConsume) {
  InferenceEngineOptions o = SmallOptions(1);
  o.max_queue_frames = 1;
  auto engine = MakeEngine(o);
  const cv::Mat img = testing::SyntheticFrames(1)[0];
  BlockedWorker blocker;
  EngineStreamPtr a = engine->OpenStream({});
  auto first = Job(a, 0, img, blocker.Callback());
  ASSERT_TRUE(engine->Submit(&first).ok());
  blocker.entered.WaitForNotification();
  Collector c;
  EngineStreamPtr b = engine->OpenStream({});
  auto second = Job(b, 0, img, c.Callback());
  ASSERT_TRUE(engine->Submit(&second).ok());
  auto third = Job(b, 1, img, c.Callback());
  EXPECT_EQ(engine->Submit(&third).code(), absl::StatusCode::kResourceExhausted);
  ASSERT_NE(third, nullptr);  // not consumed
  EXPECT_EQ(third->frame_index, 1u);
  EXPECT_EQ(engine->stats().queue_depth, 1);
  blocker.release.Notify();
  ASSERT_TRUE(c.WaitFor(1));
  ASSERT_TRUE(engine->Submit(&third).ok());
  ASSERT_TRUE(c.WaitFor(2));
}

TEST(InferenceEngineTest, LatestOnlyDropsOlderWaitingFrames) {
  auto engine = MakeEngine(SmallOptions(1));
  const cv::Mat img = testing::SyntheticFrames(1)[0];
  BlockedWorker blocker;
  auto first = Job(engine->OpenStream({}), 0, img, blocker.Callback());
  ASSERT_TRUE(engine->Submit(&first).ok());
  blocker.entered.WaitForNotification();
  Collector c;
  EngineStreamPtr live = engine->OpenStream({Segmenter::Pairing::kPrevious, true});
  for (uint64_t i = 0; i < 3; ++i) {
    auto j = Job(live, i, img, c.Callback());
    ASSERT_TRUE(engine->Submit(&j).ok());
  }
  EXPECT_EQ(engine->stats().queue_depth, 1);
  blocker.release.Notify();
  ASSERT_TRUE(c.WaitFor(3));
  absl::MutexLock l(&c.mu);
  EXPECT_TRUE(c.results[0].dropped);
  EXPECT_TRUE(c.results[1].dropped);
  EXPECT_FALSE(c.results[2].dropped);
  EXPECT_TRUE(c.results[2].status.ok());
  EXPECT_FALSE(c.results[2].output.labels.empty());
  EXPECT_EQ(engine->stats().frames_dropped, 2);
}

TEST(InferenceEngineTest, CancelledStreamIsAnsweredCancelledAndRefused) {
  auto engine = MakeEngine(SmallOptions(1));
  const cv::Mat img = testing::SyntheticFrames(1)[0];
  BlockedWorker blocker;
  auto first = Job(engine->OpenStream({}), 0, img, blocker.Callback());
  ASSERT_TRUE(engine->Submit(&first).ok());
  blocker.entered.WaitForNotification();
  Collector c;
  EngineStreamPtr s = engine->OpenStream({});
  auto j = Job(s, 0, img, c.Callback());
  ASSERT_TRUE(engine->Submit(&j).ok());
  engine->CancelStream(s);
  EXPECT_EQ(engine->stats().queue_depth, 0);
  auto late = Job(s, 1, img, c.Callback());
  EXPECT_EQ(engine->Submit(&late).code(), absl::StatusCode::kInvalidArgument);
  blocker.release.Notify();
  ASSERT_TRUE(c.WaitFor(1));
  absl::MutexLock l(&c.mu);
  EXPECT_EQ(c.results[0].status.code(), absl::StatusCode::kCancelled);
}

TEST(InferenceEngineTest, StopAnswersWaitingFramesThenRefuses) {
  auto engine = MakeEngine(SmallOptions(2));
  const std::vector<cv::Mat> frames = testing::SyntheticFrames(3);
  Collector c;
  EngineStreamPtr s = engine->OpenStream({});
  for (uint64_t i = 0; i < frames.size(); ++i) {
    auto j = Job(s, i, frames[i], c.Callback());
    ASSERT_TRUE(engine->Submit(&j).ok());
  }
  engine->Stop();
  {
    absl::MutexLock l(&c.mu);
    EXPECT_EQ(c.results.size(), frames.size());
  }
  auto j = Job(s, 3, frames[0], c.Callback());
  EXPECT_EQ(engine->Submit(&j).code(), absl::StatusCode::kUnavailable);
}

TEST(InferenceEngineTest, BatchesFramesOfSeveralStreams) {
  auto engine = MakeEngine(SmallOptions(4));
  const std::vector<cv::Mat> frames = testing::SyntheticFrames(4);
  BlockedWorker blocker;
  auto first = Job(engine->OpenStream({}), 0, frames[0], blocker.Callback());
  ASSERT_TRUE(engine->Submit(&first).ok());
  blocker.entered.WaitForNotification();
  Collector c;
  for (int i = 0; i < 4; ++i) {
    auto j = Job(engine->OpenStream({}), 0, frames[i], c.Callback());
    ASSERT_TRUE(engine->Submit(&j).ok());
  }
  blocker.release.Notify();  // all four are waiting: one batch
  ASSERT_TRUE(c.WaitFor(4));
  absl::MutexLock l(&c.mu);
  for (const auto& r : c.results) EXPECT_EQ(r.batch_size, 4);
}

}  // namespace
}  // namespace botm::server
