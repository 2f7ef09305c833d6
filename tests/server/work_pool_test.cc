// WorkPool: tasks run off the caller's thread, large tasks always leave a thread to small ones
// (pixel bombs cannot hold up other streams' frames), the queue is bounded, Stop drains it.
#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "absl/synchronization/notification.h"
#include "server/decode_budget.h"
#include "server/work_pool.h"

namespace botm::server {
namespace {

std::unique_ptr<WorkPool> MakePool(int threads, int max_queued = 64) {
  WorkPoolOptions o;
  o.threads = threads;
  o.large_task_bytes = 1000;
  o.max_queued_tasks = max_queued;
  auto pool = WorkPool::Create(o);
  EXPECT_TRUE(pool.ok()) << pool.status();
  return pool.ok() ? *std::move(pool) : nullptr;
}

TEST(WorkPoolTest, RunsEveryTaskOffTheCallingThread) {
  auto pool = MakePool(2);
  std::atomic<int> ran{0};
  std::atomic<bool> inline_run{false};
  const std::thread::id caller = std::this_thread::get_id();
  for (int i = 0; i < 50; ++i) {
    absl::AnyInvocable<void()&&> task = [&] {
      if (std::this_thread::get_id() == caller) inline_run = true;
      ++ran;
    };
    ASSERT_TRUE(pool->Post(i % 2 == 0 ? 0 : 5000, &task));
    EXPECT_FALSE(task);  // taken
  }
  pool->Stop();
  EXPECT_EQ(ran.load(), 50);
  EXPECT_FALSE(inline_run.load());
}

TEST(WorkPoolTest, LargeTasksNeverHoldUpSmallOnes) {
  auto pool = MakePool(1);  // one small thread, one large thread
  absl::Notification release;
  std::atomic<int> large_running{0};
  for (int i = 0; i < 3; ++i) {
    absl::AnyInvocable<void()&&> large = [&] {
      ++large_running;
      release.WaitForNotification();
    };
    ASSERT_TRUE(pool->Post(1 << 20, &large));
  }
  for (int i = 0; i < 30000 && large_running.load() == 0; ++i) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  ASSERT_EQ(large_running.load(), 1);  // the large thread is held by the first large task
  absl::Notification small_ran;
  absl::AnyInvocable<void()&&> small = [&] { small_ran.Notify(); };
  ASSERT_TRUE(pool->Post(10, &small));
  EXPECT_TRUE(small_ran.WaitForNotificationWithTimeout(absl::Seconds(30)));
  EXPECT_EQ(large_running.load(), 1);  // the other large ones wait for the large thread
  release.Notify();
  pool->Stop();
  EXPECT_EQ(large_running.load(), 3);
}

TEST(WorkPoolTest, QueueIsBoundedAndARefusedTaskStaysWithTheCaller) {
  auto pool = MakePool(1, /*max_queued=*/2);
  absl::Notification started, release;  // holds the one small thread
  absl::AnyInvocable<void()&&> blocker = [&] {
    started.Notify();
    release.WaitForNotification();
  };
  ASSERT_TRUE(pool->Post(0, &blocker));
  started.WaitForNotification();
  std::atomic<int> ran{0};
  for (int i = 0; i < 2; ++i) {
    absl::AnyInvocable<void()&&> t = [&] { ++ran; };
    ASSERT_TRUE(pool->Post(0, &t));
  }
  bool refused_ran = false;
  absl::AnyInvocable<void()&&> refused = [&] { refused_ran = true; };
  EXPECT_FALSE(pool->Post(0, &refused));
  ASSERT_TRUE(refused);
  std::move(refused)();  // still the caller's to run
  EXPECT_TRUE(refused_ran);
  release.Notify();
  pool->Stop();
  EXPECT_EQ(ran.load(), 2);
  absl::AnyInvocable<void()&&> late = [] {};
  EXPECT_FALSE(pool->Post(0, &late));  // stopped
}

// The server-wide bound on decoded bytes (issue 9, defect 4): leases that do not fit are
// refused while others are held, a lone frame always fits, and released bytes come back.
TEST(DecodeBudgetTest, BoundsTheBytesInFlight) {
  DecodeBudget budget(100);
  auto a = budget.TryAcquire(60);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(budget.TryAcquire(50), nullptr);
  auto b = budget.TryAcquire(40);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(budget.in_use(), 100);
  a.reset();
  EXPECT_EQ(budget.in_use(), 40);
  b.reset();
  auto big = budget.TryAcquire(500);  // alone: admitted (the per-frame limit bounds it)
  ASSERT_NE(big, nullptr);
  EXPECT_EQ(budget.TryAcquire(1), nullptr);
}

TEST(WorkPoolTest, RejectsBadOptions) {
  WorkPoolOptions o;
  o.threads = 0;
  EXPECT_EQ(WorkPool::Create(o).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace botm::server
