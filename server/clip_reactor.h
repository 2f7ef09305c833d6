// The reactor of one SegmentClip call (unary, callback API, raw messages): the clip's frames
// go the same way as a stream's (call_base.h), at most max_inflight_frames_per_stream at a
// time, so memory stays bounded; a full engine queue makes the next frame wait instead of
// failing it. The response is serialized once every frame was answered, in frame order.
//
// The request is parsed here, so that bytes that do not parse as a SegmentClipRequest are
// answered INVALID_ARGUMENT naming the problem.
//
// Thread-safety: engine and codec callbacks and gRPC reactions are serialised by mu_
// (CallBase). Finish is called exactly once, outside the lock, after the last callback; the
// reactor deletes itself in OnDone.
#ifndef BOTM_SERVER_CLIP_REACTOR_H_
#define BOTM_SERVER_CLIP_REACTOR_H_

#include <memory>

#include <grpcpp/grpcpp.h>

#include "server/call_base.h"

namespace botm::server {

class ClipReactor : public grpc::ServerUnaryReactor, public CallBase {
 public:
  // Parses and validates the request and starts its frames (or finishes at once with an
  // error). `request` and `response` belong to gRPC and live until OnDone.
  ClipReactor(grpc::CallbackServerContext* ctx, ServiceEnv* env,
              std::unique_ptr<AdmissionController::Ticket> ticket, const grpc::ByteBuffer* request,
              grpc::ByteBuffer* response);

  void OnCancel() override { CancelCall(); }
  void OnDone() override;

 private:
  ~ClipReactor() override = default;
  void Progress() override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool ReactorBusy() const override { return false; }
  void FinishReactor(const grpc::Status& status) override { Finish(status); }

  absl::Status Start(const grpc::ByteBuffer* request) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SubmitMore() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  grpc::ByteBuffer* const response_;
  v1::SegmentClipRequest request_ ABSL_GUARDED_BY(mu_);
  v1::SegmentClipResponse result_ ABSL_GUARDED_BY(mu_);
  int next_frame_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace botm::server

#endif  // BOTM_SERVER_CLIP_REACTOR_H_
