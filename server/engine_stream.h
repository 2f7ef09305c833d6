// Private to the engine: per-stream state and the batch being run. Not for other includers.
#ifndef BOTM_SERVER_ENGINE_STREAM_H_
#define BOTM_SERVER_ENGINE_STREAM_H_

#include <deque>
#include <memory>
#include <vector>

#include "absl/time/time.h"
#include "server/inference_engine.h"

namespace botm::server {

// Per-stream state. Fields marked (mu) are guarded by the engine's mu_; the others belong to
// the worker that holds the stream in flight (handed over through mu_, so at most one worker
// touches them at a time).
class EngineStream {
 public:
  explicit EngineStream(const EngineStreamOptions& o) : options(o) {}
  struct Waiting {
    std::unique_ptr<FrameJob> job;
    absl::Time enqueued;   // engine clock: queue time and the batch timeout
    bool dropped = false;  // latest-only replacement or cancelled
  };
  const EngineStreamOptions options;
  std::deque<Waiting> waiting;  // (mu)
  bool in_flight = false;       // (mu)
  bool in_ready = false;        // (mu)
  bool cancelled = false;       // (mu)
  // kPrevious: the last partner_offset encoded frames, oldest first; the oldest is the next
  // frame's partner (frame t - K once K frames were seen, frame 0 before).
  std::deque<EncodedFramePtr> history;
  EncodedFramePtr last;            // kNext: the partner of the held frame (its predecessor)
  std::unique_ptr<FrameJob> held;  // kNext: the frame waiting for its successor
  EncodedFramePtr held_encoded;
  double held_queue_ms = 0.0;
};

enum class ItemKind { kRun, kDropped, kExpired, kCancelled, kFlush };

// A frame that will run unless it expires: counted in the queue depth.
inline bool IsRunnable(const EngineStream::Waiting& w) {
  return !w.dropped && w.job->kind == FrameJobKind::kFrame;
}

struct InferenceEngine::Batch {
  struct Item {
    EngineStreamPtr stream;
    std::unique_ptr<FrameJob> job;
    ItemKind kind = ItemKind::kRun;
    double queue_ms = 0.0;
  };
  std::vector<Item> items;               // streams grouped, each in submission order
  std::vector<EngineStreamPtr> streams;  // held in flight by this batch
  std::vector<bool> cancelled;           // per streams[i], read under mu_
  int runnable = 0;
};

}  // namespace botm::server

#endif  // BOTM_SERVER_ENGINE_STREAM_H_
