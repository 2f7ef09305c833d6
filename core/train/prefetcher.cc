#include "core/train/prefetcher.h"

#include <utility>

namespace botm::train {

BatchPrefetcher::BatchPrefetcher(Options options) : options_(std::move(options)) {
  thread_ = std::thread([this] { Run(); });
}

BatchPrefetcher::~BatchPrefetcher() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  thread_.join();
}

void BatchPrefetcher::Run() {
  for (int64_t step = options_.first_step;; ++step) {
    {
      absl::MutexLock lock(&mu_);
      auto room = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stop_ || static_cast<int>(queue_.size()) < options_.queue_capacity;
      };
      mu_.Await(absl::Condition(&room));
      if (stop_) return;
    }
    absl::StatusOr<Batch> batch =
        MakeBatch(*options_.source, options_.augment, options_.run_seed, step, options_.batch_size);
    const bool failed = !batch.ok();
    absl::MutexLock lock(&mu_);
    queue_.push_back(std::move(batch));
    if (failed) return;  // the consumer sees the error; nothing after it would be valid
  }
}

absl::StatusOr<Batch> BatchPrefetcher::Next() {
  absl::MutexLock lock(&mu_);
  auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !queue_.empty(); };
  mu_.Await(absl::Condition(&ready));
  absl::StatusOr<Batch> b = std::move(queue_.front());
  if (b.ok()) queue_.pop_front();  // an error stays at the front for every later call
  return b;
}

}  // namespace botm::train
