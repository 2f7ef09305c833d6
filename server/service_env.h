// What the RPC handlers share: limits, the engine, metrics, admission control and the
// registry of open streams. Owned by SegmentationService; reactors hold a pointer to it.
//
// Thread-safety: the engine pointer is set once (after warm-up) and read atomically; the other
// members are thread-safe objects or immutable after construction.
#ifndef BOTM_SERVER_SERVICE_ENV_H_
#define BOTM_SERVER_SERVICE_ENV_H_

#include <atomic>
#include <cstdint>

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "server/admission.h"
#include "server/inference_engine.h"
#include "server/server_metrics.h"
#include "server/session.h"

namespace botm::server {

struct ServiceOptions {
  // Largest frame accepted, pixels (width x height). <= 0 = no limit.
  int64_t max_frame_pixels = 16777216;
  // Per-stream limits and online ED/ES settings (max_frames_per_clip: 10000).
  SessionOptions session;
  // Frames of one stream submitted but not yet answered before the server stops reading
  // from it (gRPC flow control then slows the client). >= 1.
  int max_inflight_frames_per_stream = 8;
  // A stream that receives nothing for this long is ended with DEADLINE_EXCEEDED.
  absl::Duration stream_idle_timeout = absl::Seconds(300);
};

struct ServiceEnv {
  ServiceOptions options;
  ServerMetrics* metrics = nullptr;               // not owned
  AdmissionController* admission = nullptr;       // not owned
  std::atomic<InferenceEngine*> engine{nullptr};  // null until warm-up is done; not owned
  std::atomic<bool> shutting_down{false};
};

// Adds the `retry-after-ms` trailer of a RESOURCE_EXHAUSTED refusal to the call.
inline void AddRetryAfter(grpc::CallbackServerContext* ctx, int64_t retry_after_ms) {
  ctx->AddTrailingMetadata("retry-after-ms", std::to_string(retry_after_ms));
}

}  // namespace botm::server

#endif  // BOTM_SERVER_SERVICE_ENV_H_
