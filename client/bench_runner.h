// The load generator behind botm-bench: N concurrent streams of synthetic clips, each at a
// frame rate (or as fast as its in-flight window allows), for a fixed duration; either through
// a botm-server over gRPC (RunServedBench) or straight into an InferenceEngine in this process
// (RunInProcessBench, inprocess_bench.h), so the two can be compared under the same load.
//
// Thread-safety: each Run* call starts one thread per stream and joins them before returning;
// the calls themselves are not meant to run concurrently with each other.
#ifndef BOTM_CLIENT_BENCH_RUNNER_H_
#define BOTM_CLIENT_BENCH_RUNNER_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "absl/status/statusor.h"
#include "botm/v1/segmentation.grpc.pb.h"

namespace botm::client {

struct BenchOptions {
  int streams = 1;               // concurrent streams, >= 1
  double fps = 0;                // frames/s per stream; 0 = as fast as possible
  double duration_s = 5;         // sending time per run, seconds
  int size_px = 128;             // synthetic frame side
  uint64_t seed = 1;             // stream s replays the clip of seed + s
  int clip_frames = 32;          // frames rendered per stream, replayed cyclically
  int max_in_flight_frames = 4;  // per stream
  bool latest_only = false;      // OVERFLOW_POLICY_LATEST_ONLY (drops counted)
  bool rle_masks = true;         // served: RLE masks (cheaper than PNG)
  // Incremented per answered frame (for a progress bar); may be null.
  std::atomic<int64_t>* frames_done = nullptr;
};

// Latencies of one successfully segmented frame, milliseconds.
struct FrameSample {
  double client_ms = 0;        // send -> result, seen by the client
  double server_total_ms = 0;  // Timing.total_ms (in-process: = client_ms)
  double decode_ms = 0;
  double queue_ms = 0;
  double inference_ms = 0;
  double encode_ms = 0;
  int batch_size = 0;
};

struct BenchResult {
  std::string mode;  // "served" or "in_process"
  int streams = 0;
  double target_fps = 0;
  double wall_seconds = 0;  // first send to last result
  int64_t frames_sent = 0;
  int64_t frames_ok = 0;
  int64_t frames_dropped = 0;       // answered as dropped (latest-only)
  int64_t frames_failed = 0;        // answered with an error or refused
  int64_t streams_failed = 0;       // streams that ended with a non-OK status
  std::vector<std::string> errors;  // the first few distinct error messages
  std::vector<FrameSample> samples;
  double throughput_fps() const {
    return wall_seconds > 0 ? static_cast<double>(frames_ok) / wall_seconds : 0;
  }
};

using BenchClips = std::vector<std::vector<cv::Mat>>;

// Renders one synthetic clip per stream (seed + s, clip_frames frames of size_px).
// InvalidArgument for bad options.
absl::StatusOr<BenchClips> RenderBenchClips(const BenchOptions& options);

// Runs the load through `stub` (raw frames on the wire, pairing previous).
absl::StatusOr<BenchResult> RunServedBench(botm::v1::SegmentationService::StubInterface* stub,
                                           const BenchOptions& options, const BenchClips& clips);

using BenchClock = std::chrono::steady_clock;
// Runs one stream `stream` (0-based) from `start`, sending until `end`.
using StreamBody = std::function<BenchResult(int stream, BenchClock::time_point start,
                                             BenchClock::time_point end)>;

// Runs `body` on one thread per stream, all with the same start and end, joins them and
// merges their results into one BenchResult labelled `mode`.
BenchResult RunConcurrentStreams(const std::string& mode, const BenchOptions& options,
                                 const StreamBody& body);

// Adds `error` to result->errors unless it is there already or 8 are kept.
void AddError(const std::string& error, BenchResult* result);

// Merges per-stream results of one run (sums counters, concatenates samples, keeps up to 8
// distinct error messages).
void MergeInto(const BenchResult& part, BenchResult* total);

}  // namespace botm::client

#endif  // BOTM_CLIENT_BENCH_RUNNER_H_
