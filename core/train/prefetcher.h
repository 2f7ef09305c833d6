// Builds training batches on a background thread so data generation overlaps the model step.
//
// Batches come out in step order (first_step, first_step + 1, ...), each made by MakeBatch, so
// the stream is identical whether or not prefetching is used. The queue is bounded
// (queue_capacity batches): the producer blocks when the trainer falls behind.
// Worst-case latency of Next(): one MakeBatch call when the queue is empty.
// Thread-safety: Next() is called from one consumer thread. The destructor stops and joins the
// producer. The PairSource must outlive the prefetcher.
#ifndef BOTM_CORE_TRAIN_PREFETCHER_H_
#define BOTM_CORE_TRAIN_PREFETCHER_H_

#include <cstdint>
#include <deque>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "core/train/augment.h"
#include "core/train/pair_source.h"

namespace botm::train {

class BatchPrefetcher {
 public:
  struct Options {
    const PairSource* source = nullptr;  // not owned
    AugmentOptions augment;
    uint64_t run_seed = 1;
    int batch_size = 8;
    int64_t first_step = 0;
    int queue_capacity = 3;  // batches buffered ahead
  };
  explicit BatchPrefetcher(Options options);
  ~BatchPrefetcher();
  BatchPrefetcher(const BatchPrefetcher&) = delete;
  BatchPrefetcher& operator=(const BatchPrefetcher&) = delete;

  // Blocks until the next batch is ready; returns the producer's error if a batch failed.
  absl::StatusOr<Batch> Next();

 private:
  void Run();

  const Options options_;
  absl::Mutex mu_;
  std::deque<absl::StatusOr<Batch>> queue_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace botm::train

#endif  // BOTM_CORE_TRAIN_PREFETCHER_H_
