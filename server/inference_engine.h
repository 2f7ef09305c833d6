// The model pool and dynamic batcher, usable without gRPC (botm-server and
// `botm-bench --in_process` drive the very same engine).
//
// When to use: one engine per process. Streams open an EngineStream, then Submit() frames;
// each frame is answered exactly once through its callback.
//
// Model pool: the weights are loaded once (one thread-safe botm::Segmenter, loaded by the
// caller: see model_loader.h); `instances` dedicated worker threads each form batches and run
// Encode + Decode on it. CreateWithModel() runs a warm-up and measures the capacity (frames/s)
// that admission control uses; the engine is ready when it returns. The engine itself needs no
// LibTorch: its tests run on a fake Segmenter.
//
// Batching: a worker takes up to max_batch_size waiting frames from streams that have no
// batch in flight, oldest stream first. It waits at most batch_timeout_micros (on the
// engine's clock) after the oldest waiting frame arrived for the batch to fill. All frames of a
// batch are encoded in one Encode() call and decoded in one Decode() call.
//
// Partner chaining (cached features): per stream, at most one batch is in flight, so a frame's
// predecessor has always been encoded (in an earlier batch, or earlier in the same batch)
// before the frame is decoded. A frame in a live stream costs one encoder pass: with
// kPrevious its partner is the EncodedFramePtr of the frame partner_offset (K) encoded frames
// earlier, kept with the K-1 after it in the EngineStream (the first frame is paired with
// itself, frames 1..K-1 with frame 0; dropped or failed frames are not counted). With kNext, frame
// t is held until frame t+1 is encoded (one frame of latency); a kFlush job decodes the held frame
// paired with t-1 (at the end of a stream, and before a frame that never reaches the engine, so
// that the held frame is not kept waiting for a successor that will not come). Latency cost of
// chaining: a frame whose predecessor is still running waits at most for that batch to finish (one
// batch inference time) before it can be batched.
//
// Deadlines: a frame whose deadline has passed when its batch is formed is answered
// DeadlineExceeded without running. Frames of a cancelled stream are answered Cancelled.
// Latest-only streams: submitting a frame marks the stream's earlier waiting (not yet running)
// frames as dropped; they are answered with FrameJobResult::dropped = true (never silently).
//
// Worst-case latency of a frame: queue wait (bounded by max_queue_frames / capacity) +
// batch_timeout_micros + one batch of its own stream in flight + its own batch inference.
//
// Thread-safety: all public methods are thread-safe. Callbacks run on a worker thread, never
// inline in Submit(); callbacks of one stream never run concurrently and, for kPrevious,
// run in submission order. A callback must not block for long (it delays the next batch).
#ifndef BOTM_SERVER_INFERENCE_ENGINE_H_
#define BOTM_SERVER_INFERENCE_ENGINE_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <opencv2/core.hpp>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/model/segmenter.h"
#include "server/clock.h"

namespace botm::server {

struct InferenceEngineOptions {
  // Worker threads ("model instances") sharing the one set of weights. 1..64.
  int instances = 1;
  // Most frames in one batch. 1..1024.
  int max_batch_size = 4;
  // Longest wait for a batch to fill, from the arrival of its oldest frame. >= 0.
  int64_t batch_timeout_micros = 2000;
  // Most frames waiting (not yet running) across all streams; Submit() beyond it returns
  // ResourceExhausted. >= 1.
  int max_queue_frames = 64;
  // Warm-up batches run by CreateWithModel() (of max_batch_size frames) to measure capacity;
  // 0 = no warm-up and no capacity measurement.
  int warmup_iterations = 3;
  // Time source of deadlines, phase timings and the batch timeout; null = Clock::Real().
  // Not owned; must outlive the engine.
  const Clock* clock = nullptr;
  // Called by a worker after each batch with its size (frames run) and inference time in
  // seconds; null = none. Must be cheap and thread-safe (metrics).
  std::function<void(int batch_size, double inference_seconds)> on_batch;
};

// The answer to one FrameJob.
struct FrameJobResult {
  uint64_t frame_index = 0;
  // OK; DeadlineExceeded (not run); Cancelled (stream cancelled); Unavailable (engine stopped
  // before running it); InvalidArgument / Internal from the model.
  absl::Status status;
  bool dropped = false;       // replaced by a newer frame (latest-only); status is OK, no output
  FrameOutput output;         // labels etc. when status is OK and !dropped
  double queue_ms = 0.0;      // Submit() -> its batch starts
  double inference_ms = 0.0;  // the batch's Encode + Decode time / batch size
  int batch_size = 0;         // frames in the batch it ran in
};
using FrameCallback = std::function<void(FrameJobResult)>;

class EngineStream;
using EngineStreamPtr = std::shared_ptr<EngineStream>;

// Something the caller holds for as long as a job's image is alive (e.g. a lease on the
// server's budget of decoded bytes); the engine destroys it together with the image, right
// after the frame was encoded (or answered without running).
class ImageLease {
 public:
  virtual ~ImageLease() = default;
};

enum class FrameJobKind {
  kFrame,  // an image to segment; counted against max_queue_frames
  // No image: answered after every earlier job of the stream; with kNext it first decodes the
  // held frame paired with its predecessor. Not counted against max_queue_frames.
  kFlush,
};

struct FrameJob {
  EngineStreamPtr stream;  // from InferenceEngine::OpenStream (required)
  FrameJobKind kind = FrameJobKind::kFrame;
  uint64_t frame_index = 0;
  // kFrame: the decoded frame (CV_8U/CV_16U, 1/3/4 channels, >= 8x8). kFlush: empty.
  cv::Mat image;
  std::unique_ptr<ImageLease> lease;  // optional; released with the image
  // Past it (engine clock), the frame is answered DeadlineExceeded without running.
  absl::Time deadline = absl::InfiniteFuture();
  FrameCallback done;  // required; invoked exactly once on a worker thread
};

struct EngineStreamOptions {
  Segmenter::Pairing pairing = Segmenter::Pairing::kPrevious;
  // Keep only the newest waiting frame (OVERFLOW_POLICY_LATEST_ONLY).
  bool latest_only = false;
  // kPrevious: frame t is decoded with the frame K = partner_offset encoded frames earlier
  // (frame 0 until K frames were seen); the stream keeps K encoded frames (0.57 MB each
  // for tiny@192). kNext ignores it (t with t + 1). Values below 1 count as 1.
  int partner_offset = 1;
};

struct EngineStats {
  int64_t queue_depth = 0;  // frames waiting, all streams
  int64_t frames_run = 0;   // frames through the model since CreateWithModel()
  int64_t batches_run = 0;
  int64_t frames_dropped = 0;  // latest-only replacements
  int64_t frames_expired = 0;  // answered DeadlineExceeded
};

class InferenceEngine {
 public:
  // Validates options and warms up on `model` (shared, e.g. with the in-process benchmark).
  // InvalidArgument for bad options or a null model; the model's status if the warm-up fails.
  static absl::StatusOr<std::unique_ptr<InferenceEngine>> CreateWithModel(
      const InferenceEngineOptions& options, std::shared_ptr<Segmenter> model);

  // Stops (see Stop()) and joins the workers.
  ~InferenceEngine();
  InferenceEngine(const InferenceEngine&) = delete;
  InferenceEngine& operator=(const InferenceEngine&) = delete;

  // Returns a new stream state (partner features, waiting frames). The stream's memory is
  // freed when the caller and every waiting job have let go of it.
  EngineStreamPtr OpenStream(const EngineStreamOptions& options);

  // Queues a frame. Consumes *job (leaves it null) only if it returns OK; otherwise *job is
  // untouched and its callback will not be called. ResourceExhausted when max_queue_frames
  // frames are waiting; Unavailable once Stop() began; InvalidArgument for a job without a
  // stream or callback, a kFrame without an image, a kFlush with one, or a cancelled stream.
  absl::Status Submit(std::unique_ptr<FrameJob>* job);

  // Marks a stream cancelled: its waiting frames are answered Cancelled without running (on a
  // worker thread); a running batch completes. Later Submit()s for it are refused.
  void CancelStream(const EngineStreamPtr& stream);

  // Refuses new frames, lets the workers answer every waiting frame (run, expired, dropped)
  // and joins them. Idempotent; blocks until done.
  void Stop();

  const ModelInfo& model_info() const { return model_->info(); }
  const InferenceEngineOptions& options() const { return options_; }
  // Frames/s of all instances together, measured at warm-up with max_batch_size batches.
  double capacity_frames_per_second() const { return capacity_fps_; }
  EngineStats stats() const;
  // Frames waiting, all streams; lock-free (for a metrics gauge updated per frame).
  int64_t queue_depth() const { return queue_depth_published_.load(std::memory_order_relaxed); }
  // The shared model (e.g. for in-process comparisons on the same weights).
  const std::shared_ptr<Segmenter>& model() const { return model_; }

 private:
  struct Batch;
  InferenceEngine(const InferenceEngineOptions& options, std::shared_ptr<Segmenter> model);
  absl::Status WarmUp();
  void WorkerLoop();
  bool HasWork() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool BatchFullOrStopping() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void WaitForBatchFill() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool TakeBatch(Batch* batch) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void AddQueueDepth(int64_t delta) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RunBatch(Batch* batch);
  void ReleaseBatch(Batch* batch);
  absl::Time Now() const;

  const InferenceEngineOptions options_;
  const Clock* const clock_;
  const std::shared_ptr<Segmenter> model_;
  double capacity_fps_ = 0.0;

  mutable absl::Mutex mu_;
  // Streams with waiting frames and no batch in flight, oldest first.
  std::deque<EngineStreamPtr> ready_ ABSL_GUARDED_BY(mu_);
  int64_t queue_depth_ ABSL_GUARDED_BY(mu_) = 0;
  std::atomic<int64_t> queue_depth_published_{0};  // queue_depth_, written under mu_
  int batches_in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  EngineStats stats_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> workers_;
  absl::Mutex stop_mu_;  // serialises Stop()
};

}  // namespace botm::server

#endif  // BOTM_SERVER_INFERENCE_ENGINE_H_
