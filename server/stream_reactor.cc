#include "server/stream_reactor.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "server/stream_registry.h"

namespace botm::server {
namespace {

// How often a stream asks admission control for the rate it may send at.
constexpr absl::Duration kAllowedRateRefresh = absl::Milliseconds(250);

}  // namespace

StreamReactor::StreamReactor(grpc::CallbackServerContext* ctx, ServiceEnv* env,
                             StreamRegistry* registry,
                             std::unique_ptr<AdmissionController::Ticket> ticket)
    : CallBase(ctx, env, std::move(ticket), "stream"),
      registry_(registry),
      policer_(env->options.rate_burst_frames) {
  registry_->Add(this);
  absl::MutexLock lock(&mu_);
  last_activity_ = started_;
  MaybeStartRead();
}

void StreamReactor::OnReadDone(bool ok) {
  std::optional<grpc::Status> fin;
  {
    absl::MutexLock lock(&mu_);
    reading_ = false;
    last_activity_ = absl::Now();
    if (!ok) {
      HandleEnd();
    } else if (!finishing()) {
      HandleRequest();
    }
    Progress();
    fin = TakeFinish();
  }
  if (fin.has_value()) Finish(*fin);
}

void StreamReactor::HandleEnd() {
  half_closed_ = true;
  if (session_ == nullptr) {
    if (!cancelled_) Fail(absl::FailedPreconditionError("the stream ended without a StreamConfig"));
    return;
  }
  EndOfFrames();
}

void StreamReactor::HandleRequest() {
  ++messages_read_;
  const size_t bytes = read_buffer_.Length();
  v1::SegmentStreamRequest request;
  if (!grpc::SerializationTraits<v1::SegmentStreamRequest>::Deserialize(&read_buffer_, &request)
           .ok()) {
    Fail(absl::InvalidArgumentError(absl::StrCat("message ", messages_read_, " (", bytes,
                                                 " bytes) does not parse as a "
                                                 "botm.v1.SegmentStreamRequest")));
    return;
  }
  if (request.has_config()) {
    if (session_ != nullptr) {
      Fail(absl::FailedPreconditionError("a second StreamConfig in one stream"));
    } else if (absl::Status s = StartSession(request.config()); !s.ok()) {
      Fail(s);
    }
  } else if (request.has_frame()) {
    if (session_ == nullptr) {
      Fail(absl::FailedPreconditionError("a frame before the StreamConfig"));
      return;
    }
    AcceptFrame(std::move(*request.mutable_frame()));
    Police();
  } else {
    Fail(absl::InvalidArgumentError("empty request: neither config nor frame"));
  }
}

void StreamReactor::Police() {
  if (finishing() || ticket_ == nullptr) return;
  const absl::Time now = env_->clock->Now();
  if (now - allowed_fps_at_ >= kAllowedRateRefresh) {
    allowed_fps_ = env_->admission->AllowedRate(*ticket_);
    allowed_fps_at_ = now;
  }
  const absl::Duration wait = policer_.Take(now, allowed_fps_);
  if (wait <= absl::ZeroDuration()) return;
  read_paused_ = true;
  registry_->ScheduleResume(this, absl::Now() + wait);
  env_->metrics->CountThrottledFrame();
}

void StreamReactor::ResumeRead() {
  absl::MutexLock lock(&mu_);
  if (!read_paused_) return;  // a stale resume (this address was reused)
  read_paused_ = false;
  MaybeStartRead();
}

bool StreamReactor::CanRead() const {
  if (reading_ || half_closed_ || read_paused_ || finishing()) return false;
  const int64_t limit = env_->options.max_inflight_frames_per_stream;
  const int64_t unsent = static_cast<int64_t>(out_.size());
  const bool latest_only =
      session_ != nullptr && session_->config().overflow() == v1::OVERFLOW_POLICY_LATEST_ONLY;
  // Latest-only keeps reading while frames wait (the engine drops older ones), but not past
  // twice the window of frames still decoding or waiting: decoding is bounded too.
  return latest_only ? unsent < limit && FramesPending() < 2 * limit
                     : FramesPending() + unsent < limit;
}

void StreamReactor::MaybeStartRead() {
  if (!CanRead()) return;
  reading_ = true;
  StartRead(&read_buffer_);
}

void StreamReactor::Queue(const v1::SegmentStreamResponse& response) {
  grpc::ByteBuffer buffer;
  bool own = false;
  if (!grpc::SerializationTraits<v1::SegmentStreamResponse>::Serialize(response, &buffer, &own)
           .ok()) {
    Fail(absl::InternalError("cannot serialize a response"));
    return;
  }
  out_.push_back(std::move(buffer));
}

void StreamReactor::Progress() {
  if (finishing()) {
    // Unsent responses are discarded; the one being written stays until OnWriteDone.
    while (out_.size() > (writing_ ? 1u : 0u)) out_.pop_back();
    return;
  }
  EmitInOrder([this](BuiltFrame&& built) {
    v1::SegmentStreamResponse response;
    *response.mutable_result() = std::move(built.result);
    Queue(response);
  });
  if (finishing()) return;
  if (half_closed_ && AllEmitted() && !summary_queued_) {
    summary_queued_ = true;
    v1::SegmentStreamResponse response;
    *response.mutable_summary() = session_->Summary();
    Queue(response);
  }
  if (!writing_ && !out_.empty()) {
    writing_ = true;
    StartWrite(&out_.front());
  }
  if (summary_queued_ && !writing_ && out_.empty()) Succeed();
  MaybeStartRead();
}

void StreamReactor::OnWriteDone(bool ok) {
  std::optional<grpc::Status> fin;
  {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    last_activity_ = absl::Now();
    if (!out_.empty()) out_.pop_front();
    if (!ok) Fail(absl::CancelledError("write failed: the client went away"));
    Progress();
    fin = TakeFinish();
  }
  if (fin.has_value()) Finish(*fin);
}

std::optional<grpc::Status> StreamReactor::EndIfIdle(absl::Time now, absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  if (finishing() || work_ > 0 || writing_ || read_paused_ || now - last_activity_ < timeout) {
    return std::nullopt;
  }
  Fail(absl::DeadlineExceededError("stream idle for longer than the idle timeout"));
  Progress();
  return TakeFinish();
}

void StreamReactor::OnDone() {
  registry_->Remove(this);
  EndCall();
  delete this;
}

}  // namespace botm::server
