#include "client/bench_runner.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "client/stream_client.h"
#include "core/synth/echo_generator.h"

namespace botm::client {
namespace {

using Clock = BenchClock;

botm::v1::StreamConfig BenchConfig(const BenchOptions& options, uint64_t stream) {
  botm::v1::StreamConfig config;
  config.set_pairing(botm::v1::PAIRING_MODE_PREVIOUS);
  config.set_mask_encoding(options.rle_masks ? botm::v1::MASK_ENCODING_RLE
                                             : botm::v1::MASK_ENCODING_PNG);
  config.set_overflow(options.latest_only ? botm::v1::OVERFLOW_POLICY_LATEST_ONLY
                                          : botm::v1::OVERFLOW_POLICY_QUEUE);
  config.set_frame_rate_hz(options.fps);
  config.set_client_tag(absl::StrCat("botm-bench-", stream));
  return config;
}

FrameSample SampleOf(const botm::v1::FrameResult& result, double latency_ms) {
  FrameSample sample;
  sample.client_ms = latency_ms;
  sample.server_total_ms = result.timing().total_ms();
  sample.decode_ms = result.timing().decode_ms();
  sample.queue_ms = result.timing().queue_ms();
  sample.inference_ms = result.timing().inference_ms();
  sample.encode_ms = result.timing().encode_ms();
  sample.batch_size = static_cast<int>(result.timing().batch_size());
  return sample;
}

// One served stream: replays its clip until the duration is over.
BenchResult RunOneServedStream(botm::v1::SegmentationService::StubInterface* stub,
                               const BenchOptions& options, const std::vector<cv::Mat>& clip,
                               uint64_t stream, Clock::time_point end) {
  std::vector<botm::v1::Frame> frames(clip.size());
  for (size_t i = 0; i < clip.size(); ++i) {
    (void)FillFrame(clip[i], WireEncoding::kRaw, &frames[i]);  // clips are valid CV_8UC1
  }
  StreamOptions stream_options;
  stream_options.config = BenchConfig(options, stream);
  stream_options.max_in_flight_frames = options.max_in_flight_frames;
  stream_options.send_rate_fps = options.fps;
  stream_options.keep_results = false;
  size_t next = 0;
  auto producer = [&](botm::v1::Frame* frame) -> absl::StatusOr<bool> {
    if (Clock::now() >= end) return false;
    *frame = frames[next++ % frames.size()];
    return true;
  };
  BenchResult result;
  auto on_result = [&](const botm::v1::FrameResult& r, double latency_ms) {
    if (options.frames_done != nullptr) options.frames_done->fetch_add(1);
    if (r.dropped()) {
      ++result.frames_dropped;
    } else if (r.has_error()) {
      ++result.frames_failed;
      AddError(absl::StrCat("frame error ", r.error().code(), ": ", r.error().message()), &result);
    } else {
      ++result.frames_ok;
      result.samples.push_back(SampleOf(r, latency_ms));
    }
  };
  absl::StatusOr<StreamOutcome> outcome = RunStream(stub, stream_options, producer, on_result);
  if (!outcome.ok()) {
    ++result.streams_failed;
    AddError(outcome.status().ToString(), &result);
  } else {
    result.frames_sent = outcome->frames_sent;
  }
  return result;
}

}  // namespace

void AddError(const std::string& error, BenchResult* result) {
  if (result->errors.size() < 8 &&
      std::find(result->errors.begin(), result->errors.end(), error) == result->errors.end()) {
    result->errors.push_back(error);
  }
}

void MergeInto(const BenchResult& part, BenchResult* total) {
  total->frames_sent += part.frames_sent;
  total->frames_ok += part.frames_ok;
  total->frames_dropped += part.frames_dropped;
  total->frames_failed += part.frames_failed;
  total->streams_failed += part.streams_failed;
  for (const std::string& error : part.errors) AddError(error, total);
  total->samples.insert(total->samples.end(), part.samples.begin(), part.samples.end());
}

absl::StatusOr<BenchClips> RenderBenchClips(const BenchOptions& options) {
  if (options.streams < 1 || options.clip_frames < 1 || options.duration_s <= 0 ||
      options.fps < 0 || options.max_in_flight_frames < 1) {
    return absl::InvalidArgumentError(
        "bench needs streams >= 1, clip_frames >= 1, duration > 0, fps >= 0, window >= 1");
  }
  BenchClips clips;
  for (int s = 0; s < options.streams; ++s) {
    synth::ClipOptions clip;
    clip.seed = options.seed + static_cast<uint64_t>(s);
    clip.width = clip.height = options.size_px;
    clip.num_frames = options.clip_frames;
    absl::StatusOr<std::unique_ptr<synth::EchoGenerator>> generator =
        synth::EchoGenerator::Create(clip);
    if (!generator.ok()) return generator.status();
    std::vector<cv::Mat>& frames = clips.emplace_back();
    for (int t = 0; t < options.clip_frames; ++t) frames.push_back((*generator)->Render(t).image);
  }
  return clips;
}

BenchResult RunConcurrentStreams(const std::string& mode, const BenchOptions& options,
                                 const StreamBody& body) {
  std::vector<BenchResult> parts(static_cast<size_t>(options.streams));
  const Clock::time_point start = Clock::now();
  const Clock::time_point end =
      start + std::chrono::microseconds(static_cast<int64_t>(options.duration_s * 1e6));
  std::vector<std::thread> threads;
  for (int s = 0; s < options.streams; ++s) {
    threads.emplace_back([&, s] { parts[static_cast<size_t>(s)] = body(s, start, end); });
  }
  for (std::thread& t : threads) t.join();
  BenchResult total;
  total.mode = mode;
  total.streams = options.streams;
  total.target_fps = options.fps;
  total.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (const BenchResult& part : parts) MergeInto(part, &total);
  return total;
}

absl::StatusOr<BenchResult> RunServedBench(botm::v1::SegmentationService::StubInterface* stub,
                                           const BenchOptions& options, const BenchClips& clips) {
  if (static_cast<int>(clips.size()) < options.streams) {
    return absl::InvalidArgumentError("fewer clips than streams");
  }
  return RunConcurrentStreams(
      "served", options, [&](int s, Clock::time_point, Clock::time_point end) {
        return RunOneServedStream(stub, options, clips[static_cast<size_t>(s)],
                                  static_cast<uint64_t>(s), end);
      });
}

}  // namespace botm::client
