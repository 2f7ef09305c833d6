// The in-process half of botm-bench: the same streams, frame rate, window and duration as
// RunServedBench, submitted straight to a botm::server::InferenceEngine (same model pool and
// batch policy as botm-server, no gRPC, no image or mask coding).
//
// Thread-safety: see bench_runner.h. The engine is shared and thread-safe.
#ifndef BOTM_CLIENT_INPROCESS_BENCH_H_
#define BOTM_CLIENT_INPROCESS_BENCH_H_

#include "absl/status/statusor.h"
#include "client/bench_runner.h"
#include "server/inference_engine.h"

namespace botm::client {

// Runs the load through `engine`. Frames the engine refuses (queue full) count as failed.
absl::StatusOr<BenchResult> RunInProcessBench(server::InferenceEngine* engine,
                                              const BenchOptions& options, const BenchClips& clips);

}  // namespace botm::client

#endif  // BOTM_CLIENT_INPROCESS_BENCH_H_
