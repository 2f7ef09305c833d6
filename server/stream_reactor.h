// The reactor of one SegmentStream call (gRPC callback API).
//
// Contract (grpcpp server_callback.h): at most one read and one write outstanding; a response
// stays alive in the write queue until OnWriteDone; Finish is called exactly once (also after
// cancellation) and only when no write is outstanding and every frame submitted to the engine
// was answered, so no engine callback can outlive the reactor; the reactor deletes itself only
// in OnDone. Reactions never block on the model: frames go to the InferenceEngine and come
// back through its callbacks, which reorder results into frame order and start writes.
// Finish is never called with the reactor's mutex held (it may run OnDone inline).
//
// Backpressure: with OVERFLOW_POLICY_QUEUE the reactor stops reading while
// max_inflight_frames_per_stream frames are unanswered or unsent; gRPC flow control then
// slows the client. With LATEST_ONLY it keeps reading and the engine drops older frames.
//
// Thread-safety: reactions and engine callbacks may run on different threads; all state is
// guarded by mu_.
#ifndef BOTM_SERVER_STREAM_REACTOR_H_
#define BOTM_SERVER_STREAM_REACTOR_H_

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>

#include <grpcpp/grpcpp.h>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "botm/v1/segmentation.grpc.pb.h"
#include "server/admission.h"
#include "server/service_env.h"
#include "server/session.h"

namespace botm::server {

class StreamRegistry;

class StreamReactor
    : public grpc::ServerBidiReactor<v1::SegmentStreamRequest, v1::SegmentStreamResponse> {
 public:
  // Starts the first read. `env` and `registry` must outlive the call; the ticket is the
  // admitted stream slot (released when the reactor is deleted).
  StreamReactor(grpc::CallbackServerContext* ctx, ServiceEnv* env, StreamRegistry* registry,
                std::unique_ptr<AdmissionController::Ticket> ticket);

  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

  // Marks the stream failed with DEADLINE_EXCEEDED if nothing was received or sent since
  // `now` - timeout and no frame is in flight. Returns the status the caller must then pass
  // to Finish() (outside any lock the reactor's OnDone takes), or nothing.
  std::optional<grpc::Status> EndIfIdle(absl::Time now, absl::Duration timeout);

 private:
  struct FrameMeta {
    int64_t timestamp_us = 0;
    absl::Time received;
    double decode_ms = 0.0;
  };
  ~StreamReactor() override = default;

  void HandleConfig(const v1::StreamConfig& config) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void HandleFrame(const v1::Frame& frame, absl::StatusOr<cv::Mat> image, FrameMeta meta)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SubmitEndMarker() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void OnFrameAnswered(uint64_t index, FrameJobResult result);
  void Fail(const absl::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Moves in-order results to the write queue, starts a write, resumes reading and queues the
  // summary when everything is answered.
  void Pump() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool CanRead() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void MaybeStartRead() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Returns the status to Finish with when the call may finish now (once).
  std::optional<grpc::Status> TakeFinish() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void CountFrameOutcome(const BuiltFrame& frame) const;
  void LogFrameError(uint64_t index, const absl::Status& status) const;

  grpc::CallbackServerContext* const ctx_;
  ServiceEnv* const env_;
  StreamRegistry* const registry_;
  InferenceEngine* const engine_;
  const std::unique_ptr<AdmissionController::Ticket> ticket_;
  const absl::Time started_;
  v1::SegmentStreamRequest request_;  // the read buffer; owned by the read path

  absl::Mutex mu_;
  std::unique_ptr<Session> session_ ABSL_GUARDED_BY(mu_);
  EngineStreamPtr engine_stream_ ABSL_GUARDED_BY(mu_);
  std::map<uint64_t, FrameMeta> meta_ ABSL_GUARDED_BY(mu_);
  std::map<uint64_t, BuiltFrame> answered_ ABSL_GUARDED_BY(mu_);
  uint64_t next_emit_ ABSL_GUARDED_BY(mu_) = 0;
  int inflight_ ABSL_GUARDED_BY(mu_) = 0;  // engine jobs not yet answered (markers too)
  std::deque<v1::SegmentStreamResponse> out_ ABSL_GUARDED_BY(mu_);
  bool reading_ ABSL_GUARDED_BY(mu_) = false;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool half_closed_ ABSL_GUARDED_BY(mu_) = false;
  bool summary_queued_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<grpc::Status> finish_wanted_ ABSL_GUARDED_BY(mu_);
  bool finish_called_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time last_activity_ ABSL_GUARDED_BY(mu_);
};

}  // namespace botm::server

#endif  // BOTM_SERVER_STREAM_REACTOR_H_
