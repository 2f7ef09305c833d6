// The reactor of one SegmentStream call (gRPC callback API, raw messages).
//
// Contract (grpcpp server_callback.h): at most one read and one write outstanding; a response
// stays alive in the write queue until OnWriteDone; Finish is called exactly once (also after
// cancellation) and only when no write is outstanding and all work of the call is done (see
// call_base.h), so no engine or codec callback can outlive the reactor; the reactor deletes
// itself only in OnDone. Reactions never block on the model or on decoding.
//
// Messages are read as bytes and parsed here, so that bytes that do not parse as a
// SegmentStreamRequest fail the stream with INVALID_ARGUMENT (gRPC would report them like a
// half-close).
//
// Backpressure: the reactor reads one message at a time, the next only after the frame was
// handed to the codec pool and while fewer than max_inflight_frames_per_stream frames are
// unanswered or unsent (OVERFLOW_POLICY_QUEUE), or unsent with fewer than twice that many
// unanswered (LATEST_ONLY); gRPC flow control then slows the client. A stream that sends faster than admission allows it (rate_policer.h) has
// its next read delayed; the registry's reaper resumes it.
//
// Thread-safety: reactions, codec and engine callbacks and the reaper may run on different
// threads; all state is guarded by mu_ (CallBase).
#ifndef BOTM_SERVER_STREAM_REACTOR_H_
#define BOTM_SERVER_STREAM_REACTOR_H_

#include <deque>
#include <memory>
#include <optional>

#include <grpcpp/grpcpp.h>

#include "absl/time/time.h"
#include "server/call_base.h"
#include "server/rate_policer.h"

namespace botm::server {

class StreamRegistry;

class StreamReactor : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>,
                      public CallBase {
 public:
  // Starts the first read. `env` and `registry` must outlive the call; the ticket is the
  // admitted stream slot.
  StreamReactor(grpc::CallbackServerContext* ctx, ServiceEnv* env, StreamRegistry* registry,
                std::unique_ptr<AdmissionController::Ticket> ticket);

  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnCancel() override { CancelCall(); }
  void OnDone() override;

  // Fails the stream with DEADLINE_EXCEEDED if nothing was received or sent since `now` -
  // timeout and nothing is in flight. Returns the status the caller must then pass to
  // Finish() (outside any lock the reactor's OnDone takes), or nothing.
  std::optional<grpc::Status> EndIfIdle(absl::Time now, absl::Duration timeout);
  // Called by the registry when a read delayed by rate policing may start.
  void ResumeRead();

 private:
  ~StreamReactor() override = default;
  void Progress() override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool ReactorBusy() const override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return writing_; }
  void FinishReactor(const grpc::Status& status) override { Finish(status); }

  void HandleRequest() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void HandleEnd() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Police() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Queue(const v1::SegmentStreamResponse& response) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool CanRead() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void MaybeStartRead() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  StreamRegistry* const registry_;
  grpc::ByteBuffer read_buffer_;  // owned by the read path
  uint64_t messages_read_ ABSL_GUARDED_BY(mu_) = 0;
  std::deque<grpc::ByteBuffer> out_ ABSL_GUARDED_BY(mu_);
  bool reading_ ABSL_GUARDED_BY(mu_) = false;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool half_closed_ ABSL_GUARDED_BY(mu_) = false;
  bool summary_queued_ ABSL_GUARDED_BY(mu_) = false;
  bool read_paused_ ABSL_GUARDED_BY(mu_) = false;  // rate policing
  RatePolicer policer_ ABSL_GUARDED_BY(mu_);
  double allowed_fps_ ABSL_GUARDED_BY(mu_) = 0.0;
  absl::Time allowed_fps_at_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  absl::Time last_activity_ ABSL_GUARDED_BY(mu_);
};

}  // namespace botm::server

#endif  // BOTM_SERVER_STREAM_REACTOR_H_
