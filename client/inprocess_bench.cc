#include "client/inprocess_bench.h"

#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace botm::client {
namespace {

using Clock = BenchClock;

// Counters and samples of one stream; written by engine worker threads in callbacks.
class StreamTally {
 public:
  explicit StreamTally(int window) : window_(window) {}

  // Blocks until fewer than `window` frames are in flight, then records a send.
  void BeginFrame(uint64_t index) {
    absl::MutexLock lock(&mu_);
    auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return in_flight_ < window_; };
    mu_.Await(absl::Condition(&ready));
    ++in_flight_;
    if (send_times_.size() <= index) send_times_.resize(index + 1);
    send_times_[index] = Clock::now();
    ++result_.frames_sent;
  }

  // Undoes BeginFrame for a frame the engine refused.
  void Refused(const absl::Status& status) {
    absl::MutexLock lock(&mu_);
    --in_flight_;
    --result_.frames_sent;
    ++result_.frames_failed;
    AddError(absl::StrCat("submit: ", status.ToString()), &result_);
  }

  void Done(const server::FrameJobResult& job, std::atomic<int64_t>* progress) {
    const Clock::time_point now = Clock::now();
    absl::MutexLock lock(&mu_);
    --in_flight_;
    if (progress != nullptr) progress->fetch_add(1);
    if (job.dropped) {
      ++result_.frames_dropped;
    } else if (!job.status.ok()) {
      ++result_.frames_failed;
      AddError(job.status.ToString(), &result_);
    } else {
      ++result_.frames_ok;
      FrameSample sample;
      sample.client_ms =
          std::chrono::duration<double, std::milli>(now - send_times_[job.frame_index]).count();
      sample.server_total_ms = sample.client_ms;
      sample.queue_ms = job.queue_ms;
      sample.inference_ms = job.inference_ms;
      sample.batch_size = job.batch_size;
      result_.samples.push_back(sample);
    }
  }

  void EndOfStream() {
    absl::MutexLock lock(&mu_);
    eos_done_ = true;
  }

  // Blocks until every frame and the end-of-stream marker were answered.
  BenchResult Wait() {
    absl::MutexLock lock(&mu_);
    auto done = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return eos_done_ && in_flight_ == 0; };
    mu_.Await(absl::Condition(&done));
    return result_;
  }

 private:
  const int window_;
  absl::Mutex mu_;
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  bool eos_done_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<Clock::time_point> send_times_ ABSL_GUARDED_BY(mu_);
  BenchResult result_ ABSL_GUARDED_BY(mu_);
};

BenchResult RunOneStream(server::InferenceEngine* engine, const BenchOptions& options,
                         const std::vector<cv::Mat>& clip, Clock::time_point start,
                         Clock::time_point end) {
  server::EngineStreamOptions stream_options;
  stream_options.latest_only = options.latest_only;
  server::EngineStreamPtr stream = engine->OpenStream(stream_options);
  // Shared with the callbacks, which may still be unlocking it when Wait() returns.
  auto tally = std::make_shared<StreamTally>(options.max_in_flight_frames);
  for (uint64_t index = 0;; ++index) {
    if (options.fps > 0) {
      std::this_thread::sleep_until(
          start + std::chrono::microseconds(static_cast<int64_t>(index * 1e6 / options.fps)));
    }
    if (Clock::now() >= end) break;
    tally->BeginFrame(index);
    auto job = std::make_unique<server::FrameJob>();
    job->stream = stream;
    job->frame_index = index;
    job->image = clip[index % clip.size()];
    job->done = [tally, progress = options.frames_done](server::FrameJobResult r) {
      tally->Done(r, progress);
    };
    if (absl::Status s = engine->Submit(&job); !s.ok()) tally->Refused(s);
  }
  auto eos = std::make_unique<server::FrameJob>();
  eos->stream = stream;
  eos->kind = server::FrameJobKind::kFlush;
  eos->done = [tally](server::FrameJobResult) { tally->EndOfStream(); };
  if (!engine->Submit(&eos).ok()) tally->EndOfStream();
  return tally->Wait();
}

}  // namespace

absl::StatusOr<BenchResult> RunInProcessBench(server::InferenceEngine* engine,
                                              const BenchOptions& options,
                                              const BenchClips& clips) {
  if (engine == nullptr) return absl::InvalidArgumentError("no engine");
  if (static_cast<int>(clips.size()) < options.streams) {
    return absl::InvalidArgumentError("fewer clips than streams");
  }
  return RunConcurrentStreams(
      "in_process", options, [&](int s, Clock::time_point start, Clock::time_point end) {
        return RunOneStream(engine, options, clips[static_cast<size_t>(s)], start, end);
      });
}

}  // namespace botm::client
