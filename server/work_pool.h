// The bounded thread pool of the codec work around the model: decoding request images (off the
// gRPC threads) and building results (mask encoding, clean-up, contours, LV measurement; off
// the model workers, so the model does not idle while a batch's results are encoded).
//
// Fairness under pixel bombs: a task is "large" when its image is (decoded bytes above
// WorkPoolOptions::large_task_bytes). Large tasks run only on their own `large_threads`, at a
// lower OS priority (nice + large_thread_nice), and small tasks only on the `threads`: a client
// that sends huge frames cannot delay other streams' frames behind its own, and on a busy CPU
// its decoding gets the time the model and the other streams leave.
//
// Bounds: at most max_queued_tasks tasks wait; Post() beyond it returns false and leaves the
// task to the caller (decode: refuse the frame; result: build it on the calling thread).
// Thread-safety: thread-safe. Tasks never run inline in Post().
#ifndef BOTM_SERVER_WORK_POOL_H_
#define BOTM_SERVER_WORK_POOL_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace botm::server {

struct WorkPoolOptions {
  // Threads of small tasks. 1..256.
  int threads = 2;
  // Threads of large tasks. 1..256.
  int large_threads = 1;
  // A task for an image of more decoded bytes than this is large.
  int64_t large_task_bytes = 4 << 20;
  // Added to the nice value of the large-task threads (Linux: per thread). 0..19.
  int large_thread_nice = 10;
  // Tasks waiting to run, small and large together. >= 1.
  int max_queued_tasks = 4096;
};

class WorkPool {
 public:
  // InvalidArgument for options out of range.
  static absl::StatusOr<std::unique_ptr<WorkPool>> Create(const WorkPoolOptions& options);
  // Stops (see Stop()).
  ~WorkPool();
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  // Queues *task for an image of `image_bytes` decoded bytes (0 when unknown or small) and
  // leaves *task empty. Returns false, leaving *task untouched, when the queue is full or
  // Stop() began.
  bool Post(int64_t image_bytes, absl::AnyInvocable<void() &&>* task);

  // Refuses new tasks, runs those already queued and joins the threads. Idempotent.
  void Stop();

  const WorkPoolOptions& options() const { return options_; }

 private:
  explicit WorkPool(const WorkPoolOptions& options) : options_(options) {}
  void Loop(bool large);
  bool SmallRunnable() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stopping_ || !small_.empty();
  }
  bool LargeRunnable() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stopping_ || !large_.empty();
  }

  const WorkPoolOptions options_;
  absl::Mutex mu_;
  std::deque<absl::AnyInvocable<void() &&>> small_ ABSL_GUARDED_BY(mu_);
  std::deque<absl::AnyInvocable<void() &&>> large_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
  absl::Mutex stop_mu_;  // serialises Stop()
};

}  // namespace botm::server

#endif  // BOTM_SERVER_WORK_POOL_H_
