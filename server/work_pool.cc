#include "server/work_pool.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace botm::server {

absl::StatusOr<std::unique_ptr<WorkPool>> WorkPool::Create(const WorkPoolOptions& options) {
  if (options.threads < 1 || options.threads > 256 || options.large_threads < 1 ||
      options.large_threads > 256 || options.max_queued_tasks < 1 || options.large_task_bytes < 0 ||
      options.large_thread_nice < 0 || options.large_thread_nice > 19) {
    return absl::InvalidArgumentError(
        absl::StrCat("work pool: threads and large_threads must be 1..256 (got ", options.threads,
                     ", ", options.large_threads,
                     "), max_queued_tasks >= 1, large_task_bytes >= 0, "
                     "large_thread_nice 0..19"));
  }
  std::unique_ptr<WorkPool> pool(new WorkPool(options));
  for (int i = 0; i < options.threads; ++i) {
    pool->threads_.emplace_back([p = pool.get()] { p->Loop(/*large=*/false); });
  }
  for (int i = 0; i < options.large_threads; ++i) {
    pool->threads_.emplace_back([p = pool.get()] { p->Loop(/*large=*/true); });
  }
  return pool;
}

WorkPool::~WorkPool() { Stop(); }

bool WorkPool::Post(int64_t image_bytes, absl::AnyInvocable<void() &&>* task) {
  absl::MutexLock lock(&mu_);
  if (stopping_ ||
      small_.size() + large_.size() >= static_cast<size_t>(options_.max_queued_tasks)) {
    return false;
  }
  (image_bytes > options_.large_task_bytes ? large_ : small_).push_back(std::move(*task));
  *task = nullptr;
  return true;
}

void WorkPool::Loop(bool large) {
  if (large && options_.large_thread_nice > 0) {
    // Linux threads have their own nice value; failure only leaves the normal priority.
    const int tid = static_cast<int>(::syscall(SYS_gettid));
    const int now = ::getpriority(PRIO_PROCESS, tid);
    (void)::setpriority(PRIO_PROCESS, tid, std::min(19, now + options_.large_thread_nice));
  }
  std::deque<absl::AnyInvocable<void()&&>>& queue = large ? large_ : small_;
  while (true) {
    absl::AnyInvocable<void() &&> task;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(large ? absl::Condition(this, &WorkPool::LargeRunnable)
                      : absl::Condition(this, &WorkPool::SmallRunnable));
      if (queue.empty()) return;  // stopping and drained
      task = std::move(queue.front());
      queue.pop_front();
    }
    std::move(task)();
  }
}

void WorkPool::Stop() {
  absl::MutexLock stop_lock(&stop_mu_);
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  for (auto& t : threads_) t.join();
  threads_.clear();
}

}  // namespace botm::server
