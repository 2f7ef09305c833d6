#include "server/clip_reactor.h"

#include <utility>

#include <spdlog/spdlog.h>

#include "absl/strings/str_cat.h"
#include "server/frame_codec.h"
#include "server/status_util.h"

namespace botm::server {

ClipReactor::ClipReactor(grpc::CallbackServerContext* ctx, ServiceEnv* env,
                         std::unique_ptr<AdmissionController::Ticket> ticket,
                         const v1::SegmentClipRequest* request, v1::SegmentClipResponse* response)
    : ctx_(ctx),
      env_(env),
      engine_(env->engine.load()),
      ticket_(std::move(ticket)),
      request_(request),
      response_(response),
      started_(absl::Now()) {
  env_->metrics->AddActiveStreams(1);
  std::optional<grpc::Status> fin;
  {
    absl::MutexLock lock(&mu_);
    if (absl::Status s = Validate(); !s.ok()) {
      if (s.code() == absl::StatusCode::kResourceExhausted) {
        AddRetryAfter(ctx_, env_->admission->retry_after_ms());
      }
      spdlog::warn("clip rejected peer={} code={} message={}", ctx_->peer(),
                   absl::StatusCodeToString(s.code()), std::string(s.message()));
      finish_wanted_ = ToGrpcStatus(s);
    } else {
      engine_stream_ = engine_->OpenStream(session_->engine_options());
      spdlog::info("clip start peer={} frames={} view={} tag={}", ctx_->peer(),
                   request_->frames_size(), request_->config().view(),
                   request_->config().client_tag());
      SubmitMore();
      Collect();
      env_->metrics->SetQueueDepth(engine_->stats().queue_depth);
    }
    fin = TakeFinish();
  }
  if (fin.has_value()) Finish(std::move(*fin));
}

absl::Status ClipReactor::Validate() {
  auto session = Session::Create(request_->config(), engine_->model_info(), env_->options.session);
  if (!session.ok()) return session.status();
  session_ = std::move(*session);
  if (request_->frames_size() == 0) return absl::InvalidArgumentError("clip has no frames");
  for (const v1::Frame& f : request_->frames()) {
    if (absl::Status s = session_->AcceptFrameIndex(f.index()); !s.ok()) return s;
  }
  return env_->admission->AdmitLoad(ticket_.get(), request_->config().frame_rate_hz());
}

void ClipReactor::SubmitMore() {
  const int n = request_->frames_size();
  while (!finish_wanted_.has_value() && next_submit_ < n &&
         inflight_ < env_->options.max_inflight_frames_per_stream) {
    const v1::Frame& frame = request_->frames(next_submit_);
    const uint64_t index = frame.index();
    received_[index] = absl::Now();
    auto image = DecodeFrameImage(frame, env_->options.max_frame_pixels);
    env_->metrics->ObservePhase(Phase::kDecode,
                                absl::ToDoubleSeconds(absl::Now() - received_[index]));
    if (!image.ok()) {
      answered_[index] =
          BuildFrameError(session_->model(), index, frame.timestamp_us(), image.status());
      ++next_submit_;
      continue;
    }
    auto job = std::make_unique<FrameJob>();
    job->stream = engine_stream_;
    job->frame_index = index;
    job->image = std::move(*image);
    job->deadline = absl::FromChrono(ctx_->deadline());
    job->done = [this, index](FrameJobResult r) { OnAnswered(index, std::move(r)); };
    absl::Status s = engine_->Submit(&job);
    if (s.code() == absl::StatusCode::kResourceExhausted && inflight_ > 0) break;  // retry later
    if (!s.ok()) {
      answered_[index] = BuildFrameError(session_->model(), index, frame.timestamp_us(), s);
    } else {
      ++inflight_;
    }
    ++next_submit_;
  }
  if (next_submit_ == n && !marker_sent_ && !finish_wanted_.has_value()) {
    marker_sent_ = true;
    auto job = std::make_unique<FrameJob>();
    job->stream = engine_stream_;
    job->end_of_stream = true;
    job->done = [this](FrameJobResult) {
      std::optional<grpc::Status> fin;
      {
        absl::MutexLock lock(&mu_);
        --inflight_;
        Collect();
        fin = TakeFinish();
      }
      if (fin.has_value()) Finish(std::move(*fin));
    };
    if (engine_->Submit(&job).ok()) ++inflight_;
  }
}

void ClipReactor::OnAnswered(uint64_t index, FrameJobResult result) {
  const int64_t ts = request_->frames(static_cast<int>(index)).timestamp_us();
  env_->metrics->SetQueueDepth(engine_->stats().queue_depth);
  BuiltFrame built =
      BuildFrameResult(request_->config(), engine_->model_info(), index, ts, std::move(result));
  std::optional<grpc::Status> fin;
  {
    absl::MutexLock lock(&mu_);
    --inflight_;
    built.result.mutable_timing()->set_total_ms(
        absl::ToDoubleMilliseconds(absl::Now() - received_[index]));
    answered_[index] = std::move(built);
    SubmitMore();
    Collect();
    fin = TakeFinish();
  }
  if (fin.has_value()) Finish(std::move(*fin));
}

void ClipReactor::Collect() {
  const int n = request_->frames_size();
  while (!finish_wanted_.has_value()) {
    auto it = answered_.find(static_cast<uint64_t>(next_collect_));
    if (it == answered_.end()) break;
    BuiltFrame built = std::move(it->second);
    answered_.erase(it);
    session_->Record(&built);
    const int code = built.result.error().code();
    env_->metrics->CountFrame(built.dropped     ? FrameOutcome::kDropped
                              : built.segmented ? FrameOutcome::kOk
                              : code == static_cast<int>(absl::StatusCode::kDeadlineExceeded)
                                  ? FrameOutcome::kDeadlineExceeded
                                  : FrameOutcome::kError);
    if (code == static_cast<int>(absl::StatusCode::kDeadlineExceeded)) {
      finish_wanted_ = grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                                    "deadline passed before the clip was segmented");
      engine_->CancelStream(engine_stream_);
      return;
    }
    *response_->add_results() = std::move(built.result);
    ++next_collect_;
  }
  if (!finish_wanted_.has_value() && next_collect_ == n && inflight_ == 0) {
    *response_->mutable_summary() = session_->Summary();
    finish_wanted_ = grpc::Status::OK;
  }
}

std::optional<grpc::Status> ClipReactor::TakeFinish() {
  if (!finish_wanted_.has_value() || finish_called_ || inflight_ > 0) return std::nullopt;
  finish_called_ = true;
  return finish_wanted_;
}

void ClipReactor::OnCancel() {
  std::optional<grpc::Status> fin;
  {
    absl::MutexLock lock(&mu_);
    if (!finish_wanted_.has_value()) {
      finish_wanted_ = grpc::Status(grpc::StatusCode::CANCELLED, "cancelled by the client");
      if (engine_stream_ != nullptr) engine_->CancelStream(engine_stream_);
    }
    fin = TakeFinish();
  }
  if (fin.has_value()) Finish(std::move(*fin));
}

void ClipReactor::OnDone() {
  int code = 0;
  {
    absl::MutexLock lock(&mu_);
    code = finish_wanted_.has_value() ? finish_wanted_->error_code() : 0;
  }
  env_->metrics->CountStream(code == 0                             ? StreamOutcome::kOk
                             : code == grpc::StatusCode::CANCELLED ? StreamOutcome::kCancelled
                             : code == grpc::StatusCode::RESOURCE_EXHAUSTED
                                 ? StreamOutcome::kRejected
                                 : StreamOutcome::kError);
  env_->metrics->AddActiveStreams(-1);
  spdlog::info("clip end peer={} code={} frames={} seconds={:.3f}", ctx_->peer(), code,
               request_->frames_size(), absl::ToDoubleSeconds(absl::Now() - started_));
  delete this;
}

}  // namespace botm::server
