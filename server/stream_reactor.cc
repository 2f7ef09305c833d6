#include "server/stream_reactor.h"

#include <utility>

#include <spdlog/spdlog.h>

#include "server/frame_codec.h"
#include "server/status_util.h"
#include "server/stream_registry.h"

namespace botm::server {

StreamReactor::StreamReactor(grpc::CallbackServerContext* ctx, ServiceEnv* env,
                             StreamRegistry* registry,
                             std::unique_ptr<AdmissionController::Ticket> ticket)
    : ctx_(ctx),
      env_(env),
      registry_(registry),
      engine_(env->engine.load()),
      ticket_(std::move(ticket)),
      started_(absl::Now()) {
  env_->metrics->AddActiveStreams(1);
  registry_->Add(this);
  absl::MutexLock lock(&mu_);
  last_activity_ = started_;
  MaybeStartRead();
}

void StreamReactor::OnReadDone(bool ok) {
  std::optional<grpc::Status> fin;
  // Decoding happens outside the lock (the read path is serial; engine callbacks go on).
  std::optional<absl::StatusOr<cv::Mat>> image;
  FrameMeta meta;
  if (ok && request_.has_frame()) {
    meta.received = absl::Now();
    meta.timestamp_us = request_.frame().timestamp_us();
    image = DecodeFrameImage(request_.frame(), env_->options.max_frame_pixels);
    meta.decode_ms = absl::ToDoubleMilliseconds(absl::Now() - meta.received);
    env_->metrics->ObservePhase(Phase::kDecode, meta.decode_ms / 1e3);
  }
  {
    absl::MutexLock lock(&mu_);
    reading_ = false;
    last_activity_ = absl::Now();
    if (!ok) {
      half_closed_ = true;
      if (session_ == nullptr) {
        Fail(absl::FailedPreconditionError("the stream ended without a StreamConfig"));
      }
      SubmitEndMarker();
    } else if (finish_wanted_.has_value()) {
      // Failing already: ignore further requests.
    } else if (request_.has_config()) {
      HandleConfig(request_.config());
    } else if (request_.has_frame()) {
      HandleFrame(request_.frame(), std::move(*image), meta);
    } else {
      Fail(absl::InvalidArgumentError("empty request: neither config nor frame"));
    }
    Pump();
    fin = TakeFinish();
  }
  if (fin.has_value()) Finish(std::move(*fin));
}

void StreamReactor::HandleConfig(const v1::StreamConfig& config) {
  if (session_ != nullptr) {
    Fail(absl::FailedPreconditionError("a second StreamConfig in one stream"));
    return;
  }
  auto session = Session::Create(config, engine_->model_info(), env_->options.session);
  if (!session.ok()) {
    Fail(session.status());
    return;
  }
  if (absl::Status s = env_->admission->AdmitLoad(ticket_.get(), config.frame_rate_hz()); !s.ok()) {
    AddRetryAfter(ctx_, env_->admission->retry_after_ms());
    Fail(s);
    return;
  }
  session_ = std::move(*session);
  engine_stream_ = engine_->OpenStream(session_->engine_options());
  spdlog::info("stream start peer={} view={} tag={} pairing={} overflow={} fps={}", ctx_->peer(),
               config.view(), config.client_tag(), v1::PairingMode_Name(config.pairing()),
               v1::OverflowPolicy_Name(config.overflow()), config.frame_rate_hz());
}

void StreamReactor::HandleFrame(const v1::Frame& frame, absl::StatusOr<cv::Mat> image,
                                FrameMeta meta) {
  if (session_ == nullptr) {
    Fail(absl::FailedPreconditionError("a frame before the StreamConfig"));
    return;
  }
  if (absl::Status s = session_->AcceptFrameIndex(frame.index()); !s.ok()) {
    Fail(s);
    return;
  }
  const uint64_t index = frame.index();
  meta_[index] = meta;
  if (!image.ok()) {
    LogFrameError(index, image.status());
    answered_[index] = BuildFrameError(session_->model(), index, meta.timestamp_us, image.status());
    return;
  }
  auto job = std::make_unique<FrameJob>();
  job->stream = engine_stream_;
  job->frame_index = index;
  job->image = std::move(*image);
  job->deadline = absl::FromChrono(ctx_->deadline());
  job->done = [this, index](FrameJobResult r) { OnFrameAnswered(index, std::move(r)); };
  if (absl::Status s = engine_->Submit(&job); !s.ok()) {
    LogFrameError(index, s);
    answered_[index] = BuildFrameError(session_->model(), index, meta.timestamp_us, s);
    return;
  }
  ++inflight_;
  env_->metrics->SetQueueDepth(engine_->stats().queue_depth);
}

void StreamReactor::SubmitEndMarker() {
  if (engine_stream_ == nullptr || finish_wanted_.has_value()) return;
  auto job = std::make_unique<FrameJob>();
  job->stream = engine_stream_;
  job->end_of_stream = true;
  job->done = [this](FrameJobResult) {
    std::optional<grpc::Status> fin;
    {
      absl::MutexLock lock(&mu_);
      --inflight_;
      Pump();
      fin = TakeFinish();
    }
    if (fin.has_value()) Finish(std::move(*fin));
  };
  if (engine_->Submit(&job).ok()) ++inflight_;
}

bool StreamReactor::CanRead() const {
  if (reading_ || half_closed_ || finish_wanted_.has_value()) return false;
  const int limit = env_->options.max_inflight_frames_per_stream;
  const int backlog = static_cast<int>(answered_.size() + out_.size());
  const bool latest_only =
      session_ != nullptr && session_->config().overflow() == v1::OVERFLOW_POLICY_LATEST_ONLY;
  return latest_only ? backlog < limit : inflight_ + backlog < limit;
}

void StreamReactor::MaybeStartRead() {
  if (!CanRead()) return;
  reading_ = true;
  StartRead(&request_);
}

void StreamReactor::OnWriteDone(bool ok) {
  std::optional<grpc::Status> fin;
  {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    last_activity_ = absl::Now();
    if (!out_.empty()) out_.pop_front();
    if (!ok) Fail(absl::CancelledError("write failed: the client went away"));
    Pump();
    fin = TakeFinish();
  }
  if (fin.has_value()) Finish(std::move(*fin));
}

void StreamReactor::Fail(const absl::Status& status) {
  if (finish_wanted_.has_value()) return;
  finish_wanted_ = ToGrpcStatus(status);
  if (engine_stream_ != nullptr) engine_->CancelStream(engine_stream_);
  // Unsent responses are discarded; the one being written stays until OnWriteDone.
  while (out_.size() > (writing_ ? 1u : 0u)) out_.pop_back();
  if (status.code() != absl::StatusCode::kCancelled) {
    spdlog::warn("stream error peer={} code={} message={}", ctx_->peer(),
                 absl::StatusCodeToString(status.code()), std::string(status.message()));
  }
}

std::optional<grpc::Status> StreamReactor::TakeFinish() {
  if (!finish_wanted_.has_value() || finish_called_ || writing_ || inflight_ > 0) {
    return std::nullopt;
  }
  finish_called_ = true;
  return finish_wanted_;
}

void StreamReactor::OnCancel() {
  std::optional<grpc::Status> fin;
  {
    absl::MutexLock lock(&mu_);
    cancelled_ = true;
    Fail(absl::CancelledError("cancelled by the client"));
    fin = TakeFinish();
  }
  if (fin.has_value()) Finish(std::move(*fin));
}

std::optional<grpc::Status> StreamReactor::EndIfIdle(absl::Time now, absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  if (finish_wanted_.has_value() || inflight_ > 0 || writing_ || now - last_activity_ < timeout) {
    return std::nullopt;
  }
  Fail(absl::DeadlineExceededError("stream idle for longer than the idle timeout"));
  return TakeFinish();
}

void StreamReactor::OnDone() {
  registry_->Remove(this);
  StreamOutcome outcome = StreamOutcome::kOk;
  uint64_t frames = 0;
  int code = 0;
  {
    absl::MutexLock lock(&mu_);
    code = finish_wanted_.has_value() ? finish_wanted_->error_code() : 0;
    if (cancelled_ || code == grpc::StatusCode::CANCELLED) {
      outcome = StreamOutcome::kCancelled;
    } else if (code == grpc::StatusCode::RESOURCE_EXHAUSTED && session_ == nullptr) {
      outcome = StreamOutcome::kRejected;
    } else if (code != 0) {
      outcome = StreamOutcome::kError;
    }
    frames = session_ != nullptr ? session_->frames_received() : 0;
  }
  env_->metrics->CountStream(outcome);
  env_->metrics->AddActiveStreams(-1);
  spdlog::info("stream end peer={} code={} frames={} seconds={:.3f}", ctx_->peer(), code, frames,
               absl::ToDoubleSeconds(absl::Now() - started_));
  delete this;
}

}  // namespace botm::server
