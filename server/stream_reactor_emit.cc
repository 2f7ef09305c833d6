// StreamReactor, the result side: engine answers are encoded, reordered into frame order,
// recorded by the session and written (see stream_reactor.h).
#include <utility>

#include <spdlog/spdlog.h>

#include "server/frame_codec.h"
#include "server/stream_reactor.h"

namespace botm::server {

void StreamReactor::LogFrameError(uint64_t index, const absl::Status& status) const {
  spdlog::warn("frame error peer={} index={} code={} message={}", ctx_->peer(), index,
               absl::StatusCodeToString(status.code()), std::string(status.message()));
}

void StreamReactor::OnFrameAnswered(uint64_t index, FrameJobResult result) {
  // The encode phase runs here, outside the lock, on the engine's worker thread.
  FrameMeta meta;
  const v1::StreamConfig* config;
  {
    absl::MutexLock lock(&mu_);
    meta = meta_[index];
    config = &session_->config();
  }
  if (!result.status.ok() && result.status.code() != absl::StatusCode::kCancelled) {
    LogFrameError(index, result.status);
  }
  BuiltFrame built =
      BuildFrameResult(*config, engine_->model_info(), index, meta.timestamp_us, std::move(result));
  built.result.mutable_timing()->set_decode_ms(meta.decode_ms);
  env_->metrics->SetQueueDepth(engine_->stats().queue_depth);
  std::optional<grpc::Status> fin;
  {
    absl::MutexLock lock(&mu_);
    --inflight_;
    answered_[index] = std::move(built);
    Pump();
    fin = TakeFinish();
  }
  if (fin.has_value()) Finish(std::move(*fin));
}

void StreamReactor::CountFrameOutcome(const BuiltFrame& f) const {
  FrameOutcome o = FrameOutcome::kOk;
  if (f.dropped) {
    o = FrameOutcome::kDropped;
  } else if (!f.segmented) {
    o = f.result.error().code() == static_cast<int>(absl::StatusCode::kDeadlineExceeded)
            ? FrameOutcome::kDeadlineExceeded
            : FrameOutcome::kError;
  }
  env_->metrics->CountFrame(o);
  if (!f.segmented) return;
  const v1::Timing& t = f.result.timing();
  env_->metrics->ObservePhase(Phase::kQueue, t.queue_ms() / 1e3);
  env_->metrics->ObservePhase(Phase::kInference, t.inference_ms() / 1e3);
  env_->metrics->ObservePhase(Phase::kEncode, t.encode_ms() / 1e3);
  env_->metrics->ObservePhase(Phase::kTotal, t.total_ms() / 1e3);
}

void StreamReactor::Pump() {
  while (!finish_wanted_.has_value()) {
    auto it = answered_.find(next_emit_);
    if (it == answered_.end()) break;
    BuiltFrame built = std::move(it->second);
    answered_.erase(it);
    auto m = meta_.find(next_emit_);
    if (m != meta_.end()) {
      built.result.mutable_timing()->set_total_ms(
          absl::ToDoubleMilliseconds(absl::Now() - m->second.received));
      meta_.erase(m);
    }
    session_->Record(&built);
    CountFrameOutcome(built);
    *out_.emplace_back().mutable_result() = std::move(built.result);
    ++next_emit_;
  }
  if (!finish_wanted_.has_value() && half_closed_ && inflight_ == 0 && answered_.empty() &&
      !summary_queued_) {
    summary_queued_ = true;
    if (session_ != nullptr) *out_.emplace_back().mutable_summary() = session_->Summary();
  }
  if (!writing_ && !out_.empty() && !finish_wanted_.has_value()) {
    writing_ = true;
    StartWrite(&out_.front());
  }
  if (summary_queued_ && !writing_ && out_.empty() && !finish_wanted_.has_value()) {
    finish_wanted_ = grpc::Status::OK;
  }
  MaybeStartRead();
}

}  // namespace botm::server
