// CallBase, the result side: engine answers become results (built on the codec pool, off the
// model workers), then go out in frame order (see call_base.h).
#include <utility>

#include <opencv2/imgproc.hpp>

#include "server/call_base.h"

namespace botm::server {
namespace {

// Labels of a frame the model saw scaled down, back at the frame's size (nearest label).
void ScaleLabelsBack(cv::Size original_size, cv::Mat* labels) {
  if (labels->empty() || labels->size() == original_size) return;
  cv::Mat full;
  cv::resize(*labels, full, original_size, 0, 0, cv::INTER_NEAREST);
  *labels = full;
}

}  // namespace

void CallBase::OnEngineAnswer(uint64_t index, cv::Size original_size, FrameJobResult result) {
  env_->metrics->SetQueueDepth(engine_->queue_depth());
  // Mask encoding, clean-up and contours leave the model worker; cheap answers (errors, drops)
  // are built here.
  const bool heavy = result.status.ok() && !result.dropped;
  const int64_t label_bytes = static_cast<int64_t>(original_size.area());  // after scaling back
  absl::AnyInvocable<void()&&> build = [this, index, original_size,
                                        result = std::move(result)]() mutable {
    ScaleLabelsBack(original_size, &result.output.labels);
    // session_ is set once before any frame and only read afterwards.
    OnResultBuilt(index, BuildFrameResult(session_->config(), engine_->model_info(), index,
                                          /*timestamp_us=*/0, std::move(result)));
  };
  if (heavy && env_->codec_pool->Post(label_bytes, &build)) return;
  std::move(build)();
}

void CallBase::OnResultBuilt(uint64_t index, BuiltFrame built) {
  std::optional<grpc::Status> fin;
  {
    absl::MutexLock lock(&mu_);
    --work_;
    --engine_jobs_;
    if (!built.segmented && !built.dropped &&
        built.result.error().code() != static_cast<int>(absl::StatusCode::kCancelled)) {
      LogFrameProblem(index, "error", built.result.error().message());
    }
    if (!finishing()) answered_[index] = std::move(built);
    AdvanceSubmissions();  // a frame waiting for room in the engine queue
    Progress();
    fin = TakeFinish();
  }
  if (fin.has_value()) FinishReactor(*fin);
}

bool CallBase::AllEmitted() const { return work_ == 0 && next_emit_ == accepted_; }

int64_t CallBase::FramesPending() const { return static_cast<int64_t>(accepted_ - next_emit_); }

void CallBase::CountFrame(const BuiltFrame& f) const {
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

void CallBase::EmitInOrder(const std::function<void(BuiltFrame&&)>& emit) {
  while (!finishing()) {
    auto it = answered_.find(next_emit_);
    if (it == answered_.end()) break;
    BuiltFrame built = std::move(it->second);
    answered_.erase(it);
    auto m = meta_.find(next_emit_);
    if (m != meta_.end()) {
      built.result.set_timestamp_us(m->second.timestamp_us);
      v1::Timing* timing = built.result.mutable_timing();
      timing->set_decode_ms(m->second.decode_ms);
      timing->set_total_ms(absl::ToDoubleMilliseconds(absl::Now() - m->second.received));
      meta_.erase(m);
    }
    session_->Record(&built);
    CountFrame(built);
    ++next_emit_;
    emit(std::move(built));
  }
}

}  // namespace botm::server
