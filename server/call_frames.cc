// CallBase, the frame pipeline: index check, header limits, decode budget, decoding on the
// codec pool, the engine, result building on the codec pool, ordered emission (call_base.h).
#include <algorithm>
#include <utility>

#include <spdlog/spdlog.h>
#include <opencv2/imgproc.hpp>

#include "server/call_base.h"
#include "server/logging.h"

namespace botm::server {
namespace {

// Frame errors and decoder warnings are logged at most this often (per second, server-wide);
// the count of the others is in the next line.
LogRateLimiter& FrameLogLimiter() {
  static LogRateLimiter* limiter = new LogRateLimiter(20);
  return *limiter;
}

// A frame with a side above `max_side` (> 0), area-averaged down to fit it, aspect kept.
cv::Mat FitForModel(cv::Mat image, int max_side) {
  const int side = std::max(image.cols, image.rows);
  if (max_side <= 0 || side <= max_side) return image;
  const double scale = static_cast<double>(max_side) / side;
  const cv::Size size(std::max(8, static_cast<int>(image.cols * scale + 0.5)),
                      std::max(8, static_cast<int>(image.rows * scale + 0.5)));
  cv::Mat scaled;
  cv::resize(image, scaled, size, 0, 0, cv::INTER_AREA);
  return scaled;
}

}  // namespace

FrameLimits CallBase::Limits() const {
  return {env_->options.max_frame_pixels, env_->options.max_frame_decoded_bytes};
}

void CallBase::LogFrameProblem(uint64_t index, const char* what, absl::string_view message) const {
  int64_t suppressed = 0;
  if (!FrameLogLimiter().Allow(&suppressed)) return;
  spdlog::warn("frame {} peer={} index={} message=\"{}\"{}", what, LogSafe(peer_), index,
               LogSafe(message),
               suppressed > 0 ? absl::StrCat(" (", suppressed, " similar lines suppressed)") : "");
}

void CallBase::AcceptFrame(v1::Frame frame) {
  const uint64_t index = frame.index();
  if (absl::Status s = session_->AcceptFrameIndex(index); !s.ok()) {
    Fail(s);
    return;
  }
  ++accepted_;
  meta_[index] = {frame.timestamp_us(), absl::Now(), 0.0};
  Pending& p = pending_[index];
  absl::StatusOr<int64_t> bytes = CheckFrameHeader(frame, Limits());
  if (bytes.ok()) {
    StartDecode(index, std::move(frame), *bytes);
  } else {
    p.decoding = false;
    p.error = bytes.status();
  }
  AdvanceSubmissions();
}

void CallBase::StartDecode(uint64_t index, v1::Frame frame, int64_t bytes) {
  std::unique_ptr<DecodeBudget::Lease> lease = env_->decode_budget->TryAcquire(bytes);
  Pending& p = pending_[index];
  if (lease == nullptr) {
    p.decoding = false;
    p.error = absl::ResourceExhaustedError(
        absl::StrCat("server decode budget full (", env_->decode_budget->max_bytes(),
                     " bytes of decoded frames in flight); retry the frame"));
    return;
  }
  absl::AnyInvocable<void()&&> decode = [this, index, frame = std::move(frame),
                                         lease = std::move(lease)]() mutable {
    const absl::Time t0 = absl::Now();
    auto warn = [this, index](absl::string_view w) { LogFrameProblem(index, "warning", w); };
    absl::StatusOr<cv::Mat> image = DecodeFrameImage(frame, Limits(), warn);
    const cv::Size original_size = image.ok() ? image->size() : cv::Size();
    if (image.ok()) image = FitForModel(*std::move(image), env_->options.max_model_side_px);
    OnDecoded(index, std::move(image), original_size, std::move(lease),
              absl::ToDoubleMilliseconds(absl::Now() - t0));
  };
  if (!env_->codec_pool->Post(bytes, &decode)) {
    p.decoding = false;
    p.error = absl::ResourceExhaustedError("server decode queue full; retry the frame");
    return;
  }
  ++work_;
}

void CallBase::OnDecoded(uint64_t index, absl::StatusOr<cv::Mat> image, cv::Size original_size,
                         std::unique_ptr<DecodeBudget::Lease> lease, double decode_ms) {
  env_->metrics->ObservePhase(Phase::kDecode, decode_ms / 1e3);
  std::optional<grpc::Status> fin;
  {
    absl::MutexLock lock(&mu_);
    --work_;
    meta_[index].decode_ms = decode_ms;
    auto it = pending_.find(index);
    if (it != pending_.end() && finishing()) {
      pending_.erase(it);  // the call failed meanwhile: the image (and its lease) go
    } else if (it != pending_.end()) {
      it->second.decoding = false;
      if (image.ok()) {
        it->second.original_size = original_size;
        it->second.image = *std::move(image);
        it->second.lease = std::move(lease);
      } else {
        it->second.error = image.status();
      }
    }
    AdvanceSubmissions();
    Progress();
    fin = TakeFinish();
  }
  if (fin.has_value()) FinishReactor(*fin);
}

void CallBase::AdvanceSubmissions() {
  while (!finishing()) {
    auto it = pending_.find(next_submit_);
    if (it == pending_.end() || it->second.decoding) break;
    if (!it->second.error.ok()) {
      RecordFrameError(next_submit_, it->second.error);
    } else if (absl::Status s = Submit(next_submit_, &it->second); !s.ok()) {
      if (absl::IsResourceExhausted(s) && wait_when_full_ && engine_jobs_ > 0) break;
      RecordFrameError(next_submit_, s);
    }
    pending_.erase(it);
    ++next_submit_;
  }
  if (end_of_frames_ && !end_flushed_ && next_submit_ == accepted_) {
    end_flushed_ = true;
    Flush();
  }
}

absl::Status CallBase::Submit(uint64_t index, Pending* frame) {
  auto job = std::make_unique<FrameJob>();
  job->stream = engine_stream_;
  job->frame_index = index;
  job->image = std::move(frame->image);
  job->lease = std::move(frame->lease);
  job->deadline = absl::FromChrono(ctx_->deadline());
  job->done = [this, index, size = frame->original_size](FrameJobResult r) {
    OnEngineAnswer(index, size, std::move(r));
  };
  if (absl::Status s = engine_->Submit(&job); !s.ok()) {
    frame->image = std::move(job->image);  // not consumed: kept for a retry
    frame->lease = std::move(job->lease);
    return s;
  }
  ++work_;
  ++engine_jobs_;
  flush_needed_ = session_->config().pairing() == v1::PAIRING_MODE_NEXT;
  env_->metrics->SetQueueDepth(engine_->queue_depth());
  return absl::OkStatus();
}

void CallBase::RecordFrameError(uint64_t index, const absl::Status& status) {
  LogFrameProblem(index, "error", status.message());
  answered_[index] = BuildFrameError(session_->model(), index, 0, status);
  // A held frame (PAIRING_MODE_NEXT) will not get this frame as its successor.
  Flush();
}

void CallBase::EndOfFrames() {
  end_of_frames_ = true;
  AdvanceSubmissions();
}

void CallBase::Flush() {
  if (!flush_needed_ || finishing()) return;
  auto job = std::make_unique<FrameJob>();
  job->stream = engine_stream_;
  job->kind = FrameJobKind::kFlush;
  job->done = [this](FrameJobResult) {
    std::optional<grpc::Status> fin;
    {
      absl::MutexLock lock(&mu_);
      --work_;
      Progress();
      fin = TakeFinish();
    }
    if (fin.has_value()) FinishReactor(*fin);
  };
  if (engine_->Submit(&job).ok()) {
    ++work_;
    flush_needed_ = false;
  }
}

}  // namespace botm::server
