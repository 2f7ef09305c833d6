// The worker side of InferenceEngine: batch formation, Encode + Decode with partner chaining,
// and answering jobs. See inference_engine.h for the contract.
#include <algorithm>
#include <utility>

#include "server/engine_stream.h"
#include "server/inference_engine.h"

namespace botm::server {

bool InferenceEngine::HasWork() const {
  return !ready_.empty() || (stopping_ && batches_in_flight_ == 0);
}

bool InferenceEngine::BatchFullOrStopping() const {
  if (stopping_) return true;
  int runnable = 0;
  for (const auto& s : ready_) {
    for (const auto& w : s->waiting) runnable += IsRunnable(w) ? 1 : 0;
  }
  return runnable >= options_.max_batch_size;
}

// Waits until a full batch is ready, or batch_timeout_micros (engine clock) after the oldest
// runnable frame of a ready stream arrived.
void InferenceEngine::WaitForBatchFill() {
  if (options_.max_batch_size <= 1 || options_.batch_timeout_micros <= 0) return;
  absl::Time oldest = absl::InfiniteFuture();
  for (const auto& s : ready_) {
    for (const auto& w : s->waiting) {
      if (IsRunnable(w)) {
        oldest = std::min(oldest, w.enqueued);
        break;
      }
    }
  }
  if (oldest == absl::InfiniteFuture()) return;
  clock_->AwaitWithDeadline(&mu_, absl::Condition(this, &InferenceEngine::BatchFullOrStopping),
                            oldest + absl::Microseconds(options_.batch_timeout_micros));
}

bool InferenceEngine::TakeBatch(Batch* batch) {
  const absl::Time now = Now();
  while (!ready_.empty() && batch->runnable < options_.max_batch_size) {
    EngineStreamPtr s = std::move(ready_.front());
    ready_.pop_front();
    s->in_ready = false;
    s->in_flight = true;
    batch->streams.push_back(s);
    batch->cancelled.push_back(s->cancelled);
    while (!s->waiting.empty()) {
      EngineStream::Waiting& w = s->waiting.front();
      ItemKind kind = ItemKind::kRun;
      if (s->cancelled) {
        kind = ItemKind::kCancelled;
      } else if (w.job->kind == FrameJobKind::kFlush) {
        kind = ItemKind::kFlush;
      } else if (w.dropped) {
        kind = ItemKind::kDropped;
      } else if (w.job->deadline <= now) {
        kind = ItemKind::kExpired;
      }
      if (kind == ItemKind::kRun && batch->runnable >= options_.max_batch_size) break;
      if (IsRunnable(w)) AddQueueDepth(-1);
      if (kind == ItemKind::kRun) ++batch->runnable;
      if (kind == ItemKind::kExpired) ++stats_.frames_expired;
      batch->items.push_back(
          {s, std::move(w.job), kind, absl::ToDoubleMilliseconds(now - w.enqueued)});
      s->waiting.pop_front();
    }
  }
  return !batch->streams.empty();
}

void InferenceEngine::WorkerLoop() {
  while (true) {
    Batch batch;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &InferenceEngine::HasWork));
      if (ready_.empty()) return;  // stopping and drained
      WaitForBatchFill();
      if (!TakeBatch(&batch)) continue;
      ++batches_in_flight_;
    }
    RunBatch(&batch);
    ReleaseBatch(&batch);
  }
}

void InferenceEngine::ReleaseBatch(Batch* batch) {
  absl::MutexLock lock(&mu_);
  for (auto& s : batch->streams) {
    s->in_flight = false;
    if (!s->waiting.empty() || (s->cancelled && s->held != nullptr)) {
      s->in_ready = true;
      ready_.push_back(s);
    }
  }
  --batches_in_flight_;
}

}  // namespace botm::server
