// Pixel-bomb traffic for botm-bench: streams that send a PNG which is small on the wire but
// decodes to a huge matrix (by default the 4096x4096 RGBA 16-bit frame of issue 9: ~0.5 MB of
// PNG, 128 MiB decoded), alongside a well-behaved load, so that a run shows whether other
// streams' latency stays the same while bombs arrive (`botm-bench --bomb_streams N`).
//
// Thread-safety: RunBombStreams starts one thread per stream and joins them before returning.
#ifndef BOTM_CLIENT_BENCH_BOMBS_H_
#define BOTM_CLIENT_BENCH_BOMBS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "botm/v1/segmentation.grpc.pb.h"
#include "client/bench_runner.h"

namespace botm::client {

struct BombOptions {
  int streams = 0;  // bomb streams; 0 = none
  int width = 4096;
  int height = 4096;
  int channels = 4;  // 1, 3 or 4
  int bits = 16;     // 8 or 16
  // Bomb frames per second per stream; 0 = as fast as the server answers them.
  double fps = 0;
};

struct BombStats {
  int64_t frames_sent = 0;
  int64_t frames_refused = 0;    // answered with a per-frame error (e.g. decoded size)
  int64_t frames_segmented = 0;  // answered with a mask
  int64_t streams_failed = 0;
  std::vector<std::string> errors;  // the first few distinct messages
};

// The PNG (fast compression) of an all-zero frame of the options' layout. InvalidArgument for
// a bad layout.
absl::StatusOr<std::string> MakeBombPng(const BombOptions& options);

// Sends `png` on options.streams streams until `end`, each with at most 2 frames in flight.
BombStats RunBombStreams(botm::v1::SegmentationService::StubInterface* stub,
                         const BombOptions& options, const std::string& png,
                         BenchClock::time_point end);

// One line: "bombs: N sent, N refused, N segmented, N streams failed (first error ...)".
std::string FormatBombStats(const BombStats& stats);

// Parses "WxH" into options->width and options->height; InvalidArgument otherwise.
absl::Status ParseBombSize(const std::string& text, BombOptions* options);

// Runs `served_run` while bombs go out on `bomb_stub` (best: a connection of its own) for
// `duration_s`; prints the bombs' line and labels the run "served+bombs".
absl::StatusOr<BenchResult> RunWithBombs(
    botm::v1::SegmentationService::StubInterface* bomb_stub, const BombOptions& options,
    const std::string& png, double duration_s,
    const std::function<absl::StatusOr<BenchResult>()>& served_run);

}  // namespace botm::client

#endif  // BOTM_CLIENT_BENCH_BOMBS_H_
