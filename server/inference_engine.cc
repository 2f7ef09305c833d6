#include "server/inference_engine.h"

#include <algorithm>
#include <utility>

#include <opencv2/imgproc.hpp>

#include "absl/strings/str_cat.h"
#include "core/common/classes.h"
#include "server/engine_stream.h"

namespace botm::server {

absl::StatusOr<std::unique_ptr<InferenceEngine>> InferenceEngine::CreateWithModel(
    const InferenceEngineOptions& options, std::shared_ptr<Segmenter> model) {
  if (model == nullptr) return absl::InvalidArgumentError("engine: null model");
  // Results are built from the project's class list: the model must segment those classes.
  if (absl::Status s = CheckClassNames(model->info().class_names); !s.ok()) return s;
  if (options.instances < 1 || options.instances > 64) {
    return absl::InvalidArgumentError(
        absl::StrCat("engine: instances must be 1..64, got ", options.instances));
  }
  if (options.max_batch_size < 1 || options.max_batch_size > 1024) {
    return absl::InvalidArgumentError(
        absl::StrCat("engine: max_batch_size must be 1..1024, got ", options.max_batch_size));
  }
  if (options.batch_timeout_micros < 0 || options.max_queue_frames < 1 ||
      options.warmup_iterations < 0) {
    return absl::InvalidArgumentError(
        "engine: batch_timeout_micros and warmup_iterations must be >= 0, "
        "max_queue_frames >= 1");
  }
  std::unique_ptr<InferenceEngine> engine(new InferenceEngine(options, std::move(model)));
  if (absl::Status s = engine->WarmUp(); !s.ok()) return s;
  for (int i = 0; i < options.instances; ++i) {
    engine->workers_.emplace_back([e = engine.get()] { e->WorkerLoop(); });
  }
  return engine;
}

InferenceEngine::InferenceEngine(const InferenceEngineOptions& options,
                                 std::shared_ptr<Segmenter> model)
    : options_(options),
      clock_(options.clock != nullptr ? options.clock : Clock::Real()),
      model_(std::move(model)) {}

InferenceEngine::~InferenceEngine() { Stop(); }

absl::Time InferenceEngine::Now() const { return clock_->Now(); }

void InferenceEngine::AddQueueDepth(int64_t delta) {
  queue_depth_ += delta;
  queue_depth_published_.store(queue_depth_, std::memory_order_relaxed);
}

// Runs warmup_iterations batches of max_batch_size synthetic frames and measures frames/s.
absl::Status InferenceEngine::WarmUp() {
  const int side = std::max(32, model_->info().input_size);
  cv::Mat img(side, side, CV_8UC1);
  for (int y = 0; y < side; ++y) {
    for (int x = 0; x < side; ++x)
      img.at<uint8_t>(y, x) = static_cast<uint8_t>((x * 7 + y * 3) & 255);
  }
  cv::circle(img, {side / 2, side / 2}, side / 4, cv::Scalar(20), -1);
  std::vector<cv::Mat> images(options_.max_batch_size, img);
  double best_seconds = 0.0;
  for (int it = 0; it < options_.warmup_iterations; ++it) {
    const absl::Time t0 = absl::Now();
    auto enc = model_->Encode(images);
    if (!enc.ok()) return enc.status();
    std::vector<DecodeRequest> reqs;
    for (size_t i = 0; i < enc->size(); ++i) reqs.push_back({(*enc)[i], (*enc)[i > 0 ? i - 1 : 0]});
    auto dec = model_->Decode(reqs);
    if (!dec.ok()) return dec.status();
    const double s = absl::ToDoubleSeconds(absl::Now() - t0);
    if (it == 0 || s < best_seconds) best_seconds = s;
  }
  if (best_seconds > 0) {
    capacity_fps_ = options_.instances * options_.max_batch_size / best_seconds;
  }
  return absl::OkStatus();
}

EngineStreamPtr InferenceEngine::OpenStream(const EngineStreamOptions& options) {
  return std::make_shared<EngineStream>(options);
}

absl::Status InferenceEngine::Submit(std::unique_ptr<FrameJob>* job) {
  if (job == nullptr || *job == nullptr) return absl::InvalidArgumentError("engine: null job");
  FrameJob& j = **job;
  if (j.stream == nullptr || !j.done) {
    return absl::InvalidArgumentError("engine: job without stream or callback");
  }
  const bool frame = j.kind == FrameJobKind::kFrame;
  if (frame == j.image.empty()) {
    return absl::InvalidArgumentError(frame ? "engine: frame job without image"
                                            : "engine: flush job with an image");
  }
  EngineStream& s = *j.stream;
  absl::MutexLock lock(&mu_);
  if (stopping_) return absl::UnavailableError("engine: stopping");
  if (s.cancelled) return absl::InvalidArgumentError("engine: stream was cancelled");
  if (frame && s.options.latest_only) {
    for (auto& w : s.waiting) {
      if (IsRunnable(w)) {
        w.dropped = true;
        AddQueueDepth(-1);
        ++stats_.frames_dropped;
      }
    }
  }
  if (frame && queue_depth_ >= options_.max_queue_frames) {
    return absl::ResourceExhaustedError(
        absl::StrCat("engine: queue full (", options_.max_queue_frames, " frames waiting)"));
  }
  if (frame) AddQueueDepth(1);
  s.waiting.push_back({std::move(*job), Now(), false});
  if (!s.in_flight && !s.in_ready) {
    s.in_ready = true;
    ready_.push_back(s.waiting.back().job->stream);
  }
  return absl::OkStatus();
}

void InferenceEngine::CancelStream(const EngineStreamPtr& stream) {
  if (stream == nullptr) return;
  absl::MutexLock lock(&mu_);
  stream->cancelled = true;
  for (auto& w : stream->waiting) {
    if (IsRunnable(w)) AddQueueDepth(-1);
    w.dropped = true;  // no longer counted; answered Cancelled
  }
  // A held kNext frame must be answered too: schedule the stream if it is idle.
  if (!stream->in_flight && !stream->in_ready && stream->held != nullptr) {
    stream->in_ready = true;
    ready_.push_back(stream);
  }
}

EngineStats InferenceEngine::stats() const {
  absl::MutexLock lock(&mu_);
  EngineStats s = stats_;
  s.queue_depth = queue_depth_;
  return s;
}

void InferenceEngine::Stop() {
  absl::MutexLock stop_lock(&stop_mu_);
  {
    absl::MutexLock lock(&mu_);
    if (stopping_ && workers_.empty()) return;
    stopping_ = true;
  }
  for (auto& t : workers_) t.join();
  workers_.clear();
}

}  // namespace botm::server
