// CallBase: session, failure, finish and the end of a call (see call_base.h). The frame
// pipeline is in call_frames.cc.
#include "server/call_base.h"

#include <utility>

#include <spdlog/spdlog.h>

#include "server/logging.h"
#include "server/status_util.h"

namespace botm::server {

CallBase::CallBase(grpc::CallbackServerContext* ctx, ServiceEnv* env,
                   std::unique_ptr<AdmissionController::Ticket> ticket, const char* kind)
    : ctx_(ctx),
      env_(env),
      engine_(env->engine.load()),
      peer_(ctx->peer()),
      started_(absl::Now()),
      kind_(kind),
      ticket_(std::move(ticket)) {
  env_->open_calls.Enter();
  env_->metrics->AddActiveStreams(1);
}

absl::Status CallBase::StartSession(const v1::StreamConfig& config) {
  if (ticket_ == nullptr) return absl::CancelledError("cancelled by the client");
  auto session = Session::Create(config, engine_->model_info(), env_->options.session);
  if (!session.ok()) return session.status();
  if (absl::Status s = env_->admission->AdmitLoad(ticket_.get(), config.frame_rate_hz()); !s.ok()) {
    rejected_ = true;
    return s;
  }
  session_ = *std::move(session);
  const EngineStreamOptions stream_options = session_->engine_options();
  engine_stream_ = engine_->OpenStream(stream_options);
  spdlog::info(
      "{} start peer={} view=\"{}\" tag=\"{}\" pairing={} partner_offset={} "
      "partner_interval_ms={} overflow={} fps={}",
      kind_, LogSafe(peer_), LogSafe(config.view()), LogSafe(config.client_tag()),
      v1::PairingMode_Name(config.pairing()), stream_options.partner_offset,
      config.partner_interval_ms(), v1::OverflowPolicy_Name(config.overflow()),
      config.frame_rate_hz());
  return absl::OkStatus();
}

void CallBase::Fail(const absl::Status& status) {
  if (final_.has_value()) return;
  final_ = status;
  if (!status.ok() && engine_stream_ != nullptr) engine_->CancelStream(engine_stream_);
  // Decoded frames waiting for the engine are dropped (their budget leases with them).
  for (auto it = pending_.begin(); it != pending_.end();) {
    it = it->second.decoding ? std::next(it) : pending_.erase(it);
  }
}

std::optional<grpc::Status> CallBase::TakeFinish() {
  if (!final_.has_value() || finish_called_ || ReactorBusy() || work_ > 0) return std::nullopt;
  finish_called_ = true;
  // Free the admission slot before the status goes out: a client that has seen its call end
  // can open the next one at once (OnDone, which ended the ticket before, runs after the
  // client may already have the status, and a quick reconnect was refused as one stream too
  // many). Nothing runs on the call after this point.
  ticket_.reset();
  AddStatusTrailers(ctx_, *final_);
  return ToGrpcStatus(*final_);
}

void CallBase::FinishIfReady() {
  std::optional<grpc::Status> fin;
  {
    absl::MutexLock lock(&mu_);
    fin = TakeFinish();
  }
  if (fin.has_value()) FinishReactor(*fin);
}

void CallBase::CancelCall() {
  std::optional<grpc::Status> fin;
  {
    absl::MutexLock lock(&mu_);
    cancelled_ = true;
    ticket_.reset();  // the slot is free for a new call now
    Fail(absl::CancelledError("cancelled by the client"));
    Progress();
    fin = TakeFinish();
  }
  if (fin.has_value()) FinishReactor(*fin);
}

void CallBase::EndCall() {
  absl::Status status;
  StreamOutcome outcome = StreamOutcome::kOk;
  uint64_t frames = 0;
  {
    absl::MutexLock lock(&mu_);
    status = final_.value_or(absl::CancelledError("ended without a status"));
    // A cancel may arrive after the read that it failed: the cancel is what happened.
    if (cancelled_) status = absl::CancelledError("cancelled by the client");
    if (status.code() == absl::StatusCode::kCancelled) {
      outcome = StreamOutcome::kCancelled;
    } else if (rejected_) {
      outcome = StreamOutcome::kRejected;
    } else if (!status.ok()) {
      outcome = StreamOutcome::kError;
    }
    frames = session_ != nullptr ? session_->frames_received() : 0;
    ticket_.reset();
  }
  static constexpr const char* kOutcome[] = {"ok", "error", "cancelled", "rejected"};
  const auto level = outcome == StreamOutcome::kError || outcome == StreamOutcome::kRejected
                         ? spdlog::level::warn
                         : spdlog::level::info;
  spdlog::log(
      level, "{} end peer={} outcome={} code={} frames={} seconds={:.3f}{}{}", kind_,
      LogSafe(peer_), kOutcome[static_cast<int>(outcome)], absl::StatusCodeToString(status.code()),
      frames, absl::ToDoubleSeconds(absl::Now() - started_),
      status.ok() ? "" : " message=", status.ok() ? "" : "\"" + LogSafe(status.message()) + "\"");
  env_->metrics->CountStream(outcome);
  env_->metrics->AddActiveStreams(-1);
  env_->open_calls.Exit();
}

}  // namespace botm::server
