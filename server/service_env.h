// What the RPC handlers share: limits, the engine, metrics, admission control, the codec pool,
// the decode budget and the count of open calls. Owned by BotmServer; reactors hold a pointer.
//
// Thread-safety: the engine pointer is set once (after warm-up) and read atomically; the other
// members are thread-safe objects or immutable after construction.
#ifndef BOTM_SERVER_SERVICE_ENV_H_
#define BOTM_SERVER_SERVICE_ENV_H_

#include <atomic>
#include <cstdint>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/admission.h"
#include "server/clock.h"
#include "server/decode_budget.h"
#include "server/inference_engine.h"
#include "server/server_metrics.h"
#include "server/session.h"
#include "server/work_pool.h"

namespace botm::server {

struct ServiceOptions {
  // Largest frame accepted, pixels (width x height). <= 0 = no limit.
  int64_t max_frame_pixels = 16777216;
  // Largest decoded frame, bytes (width x height x channels x bytes per sample, known from the
  // image header before decoding): 64 MiB takes 4096x4096 RGBA 8-bit and refuses the 16-bit
  // one. <= 0 = no limit.
  int64_t max_frame_decoded_bytes = 64 << 20;
  // Decoded bytes of all frames in flight on the server (decoding, waiting for or in the
  // model); a frame over it gets a per-frame RESOURCE_EXHAUSTED. <= 0 = no limit.
  int64_t max_decoded_bytes_in_flight = 512 << 20;
  // Per-stream limits and online ED/ES settings (max_frames_per_clip: 10000).
  SessionOptions session;
  // Frames of one stream read but not yet answered (or answered but not yet sent) before the
  // server stops reading from it (gRPC flow control then slows the client). >= 2 (a
  // PAIRING_MODE_NEXT stream holds one frame for its successor).
  int max_inflight_frames_per_stream = 8;
  // A stream that receives nothing for this long is ended with DEADLINE_EXCEEDED.
  absl::Duration stream_idle_timeout = absl::Seconds(300);
  // A frame with a longer side is segmented at this side (aspect kept; area-averaged on the
  // codec threads) and its mask is scaled back to the frame's size (nearest label), so that the
  // model's per-frame time stays bounded however large the frames a client sends (within the
  // limits above). 0 = always at the frame's own size.
  int max_model_side_px = 1024;
  // Frames a stream may send at once above its allowed rate (see rate_policer.h).
  int rate_burst_frames = 8;
  // The codec threads (decoding and result building; see work_pool.h).
  WorkPoolOptions codec_pool;
};

// The calls (streams and clips) that have started and not yet reached OnDone; shutdown waits
// for it to reach zero.
class OpenCalls {
 public:
  void Enter() {
    absl::MutexLock lock(&mu_);
    ++count_;
  }
  void Exit() {
    absl::MutexLock lock(&mu_);
    --count_;
  }
  int count() const {
    absl::MutexLock lock(&mu_);
    return count_;
  }
  // Blocks until no call is open (true) or `deadline` passes (false).
  bool WaitUntilZero(absl::Time deadline) {
    absl::MutexLock lock(&mu_);
    return mu_.AwaitWithDeadline(absl::Condition(this, &OpenCalls::Zero), deadline);
  }

 private:
  bool Zero() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return count_ == 0; }
  mutable absl::Mutex mu_;
  int count_ ABSL_GUARDED_BY(mu_) = 0;
};

struct ServiceEnv {
  ServiceOptions options;
  ServerMetrics* metrics = nullptr;          // not owned
  AdmissionController* admission = nullptr;  // not owned
  WorkPool* codec_pool = nullptr;            // not owned
  DecodeBudget* decode_budget = nullptr;     // not owned
  const Clock* clock = Clock::Real();        // rate policing; not owned
  OpenCalls open_calls;
  std::atomic<InferenceEngine*> engine{nullptr};  // null until warm-up is done; not owned
  std::atomic<bool> shutting_down{false};
};

}  // namespace botm::server

#endif  // BOTM_SERVER_SERVICE_ENV_H_
