// The reactor of one SegmentClip call (unary, callback API): the clip's frames go through the
// same InferenceEngine as streams, at most max_inflight_frames_per_stream at a time (each
// frame is decoded just before it is submitted, so memory stays bounded); results are
// recorded in frame order and the response is finished once every frame was answered.
//
// Thread-safety: engine callbacks and gRPC reactions are serialised by mu_. Finish is called
// exactly once, outside the lock, after the last engine callback; the reactor deletes itself
// in OnDone.
#ifndef BOTM_SERVER_CLIP_REACTOR_H_
#define BOTM_SERVER_CLIP_REACTOR_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>

#include <grpcpp/grpcpp.h>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "botm/v1/segmentation.grpc.pb.h"
#include "server/admission.h"
#include "server/service_env.h"
#include "server/session.h"

namespace botm::server {

class ClipReactor : public grpc::ServerUnaryReactor {
 public:
  // Validates the request and starts submitting frames (or finishes at once with an error).
  // `request` and `response` belong to gRPC and live until OnDone.
  ClipReactor(grpc::CallbackServerContext* ctx, ServiceEnv* env,
              std::unique_ptr<AdmissionController::Ticket> ticket,
              const v1::SegmentClipRequest* request, v1::SegmentClipResponse* response);

  void OnCancel() override;
  void OnDone() override;

 private:
  ~ClipReactor() override = default;
  absl::Status Validate() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SubmitMore() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void OnAnswered(uint64_t index, FrameJobResult result);
  void Collect() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::optional<grpc::Status> TakeFinish() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  grpc::CallbackServerContext* const ctx_;
  ServiceEnv* const env_;
  InferenceEngine* const engine_;
  const std::unique_ptr<AdmissionController::Ticket> ticket_;
  const v1::SegmentClipRequest* const request_;
  v1::SegmentClipResponse* const response_;
  const absl::Time started_;

  absl::Mutex mu_;
  std::unique_ptr<Session> session_ ABSL_GUARDED_BY(mu_);
  EngineStreamPtr engine_stream_ ABSL_GUARDED_BY(mu_);
  std::map<uint64_t, BuiltFrame> answered_ ABSL_GUARDED_BY(mu_);
  std::map<uint64_t, absl::Time> received_ ABSL_GUARDED_BY(mu_);
  int next_submit_ ABSL_GUARDED_BY(mu_) = 0;
  int next_collect_ ABSL_GUARDED_BY(mu_) = 0;
  int inflight_ ABSL_GUARDED_BY(mu_) = 0;
  bool marker_sent_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<grpc::Status> finish_wanted_ ABSL_GUARDED_BY(mu_);
  bool finish_called_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace botm::server

#endif  // BOTM_SERVER_CLIP_REACTOR_H_
