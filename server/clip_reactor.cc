#include "server/clip_reactor.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "server/status_util.h"

namespace botm::server {

ClipReactor::ClipReactor(grpc::CallbackServerContext* ctx, ServiceEnv* env,
                         std::unique_ptr<AdmissionController::Ticket> ticket,
                         const grpc::ByteBuffer* request, grpc::ByteBuffer* response)
    : CallBase(ctx, env, std::move(ticket), "clip"), response_(response) {
  std::optional<grpc::Status> fin;
  {
    absl::MutexLock lock(&mu_);
    if (absl::Status s = Start(request); !s.ok()) {
      Fail(s);
    } else {
      WaitWhenEngineQueueFull();
      Progress();
    }
    fin = TakeFinish();
  }
  if (fin.has_value()) Finish(*fin);
}

absl::Status ClipReactor::Start(const grpc::ByteBuffer* request) {
  grpc::ByteBuffer copy(*request);  // shares the slices; Deserialize consumes its input
  const size_t bytes = copy.Length();
  if (!grpc::SerializationTraits<v1::SegmentClipRequest>::Deserialize(&copy, &request_).ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the request (", bytes, " bytes) does not parse as a botm.v1.SegmentClipRequest"));
  }
  if (request_.frames_size() == 0) {
    return WithFieldViolation(absl::InvalidArgumentError("clip has no frames"), "frames");
  }
  const int64_t max_frames = env_->options.session.max_frames_per_clip;
  if (request_.frames_size() > max_frames) {
    return WithFieldViolation(
        absl::ResourceExhaustedError(absl::StrCat("clip has ", request_.frames_size(),
                                                  " frames; the limit is ", max_frames)),
        "frames");
  }
  for (int i = 0; i < request_.frames_size(); ++i) {
    if (request_.frames(i).index() != static_cast<uint64_t>(i)) {
      return WithFieldViolation(
          absl::FailedPreconditionError(absl::StrCat("frame index ", request_.frames(i).index(),
                                                     " out of order; expected ", i)),
          absl::StrCat("frames[", i, "].index"));
    }
  }
  return StartSession(request_.config());
}

void ClipReactor::SubmitMore() {
  const int n = request_.frames_size();
  while (!finishing() && next_frame_ < n &&
         FramesPending() < env_->options.max_inflight_frames_per_stream) {
    AcceptFrame(std::move(*request_.mutable_frames(next_frame_++)));
  }
  if (next_frame_ == n) EndOfFrames();
}

void ClipReactor::Progress() {
  if (finishing()) return;
  SubmitMore();
  EmitInOrder([this](BuiltFrame&& built) {
    if (built.result.error().code() == static_cast<int>(absl::StatusCode::kDeadlineExceeded)) {
      Fail(absl::DeadlineExceededError("deadline passed before the clip was segmented"));
      return;
    }
    *result_.add_results() = std::move(built.result);
  });
  if (finishing() || next_frame_ < request_.frames_size() || !AllEmitted()) return;
  *result_.mutable_summary() = session_->Summary();
  bool own = false;
  if (!grpc::SerializationTraits<v1::SegmentClipResponse>::Serialize(result_, response_, &own)
           .ok()) {
    Fail(absl::InternalError("cannot serialize the response"));
    return;
  }
  Succeed();
}

void ClipReactor::OnDone() {
  EndCall();
  delete this;
}

}  // namespace botm::server
