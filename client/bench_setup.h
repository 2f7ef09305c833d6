// The parts of botm-bench around the load generator: the connections to the server under test,
// the progress bar, and what goes into the report besides the runs.
//
// Thread-safety: call from one thread.
#ifndef BOTM_CLIENT_BENCH_SETUP_H_
#define BOTM_CLIENT_BENCH_SETUP_H_

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "botm/v1/segmentation.grpc.pb.h"
#include "client/bench_runner.h"
#include "client/channel.h"
#include "core/common/progress_bar.h"
#include "server/inference_engine.h"

namespace botm::client {

// The served side of a benchmark: the benchmark's channel, a second connection of its own for
// pixel bombs (null without bombs), and the server's GetModelInfo answer.
struct ServedSide {
  std::shared_ptr<grpc::Channel> channel, bomb_channel;
  botm::v1::GetModelInfoResponse info;
};

// Connects (see Connect) and fetches the model info within 10 s; with `bombs`, opens the
// second connection too. The first error, as Connect / FetchModelInfo report it.
absl::StatusOr<ServedSide> ConnectServed(const ChannelOptions& options, bool bombs);

// Writes `text` to `path` (replacing it); nothing when path is empty. Internal when the file
// cannot be written.
absl::Status WriteTextFile(const std::string& path, const std::string& text);

// Runs `body` while a progress bar over `duration_s` (in tenths of a second) is drawn on
// stderr with the count in *frames (updated by the run's threads); returns body's result.
template <typename Body>
auto RunWithProgress(const std::string& label, double duration_s, bool enabled,
                     std::atomic<int64_t>* frames, Body body) {
  ProgressBar::Options bar_options;
  bar_options.unit = "ds";
  bar_options.enabled = enabled;
  const int64_t total_ds = static_cast<int64_t>(duration_s * 10);
  absl::Notification finished;
  std::thread monitor([&] {
    ProgressBar bar(label, total_ds, bar_options);
    const absl::Time start = absl::Now();
    while (!finished.WaitForNotificationWithTimeout(absl::Milliseconds(200))) {
      bar.Update(std::min(total_ds, absl::ToInt64Milliseconds(absl::Now() - start) / 100),
                 absl::StrFormat("%d frames", frames->load()));
    }
    bar.Finish(absl::StrFormat("%d frames", frames->load()));
  });
  auto result = body();
  finished.Notify();
  monitor.join();
  return result;
}

// What the runs ran with, for the JSON report: the load (options, rounds), this process's
// OMP_WAIT_POLICY, and the in-process engine's and the server's configuration (each may be
// null).
nlohmann::json RunConfigJson(const BenchOptions& options, int rounds,
                             const server::InferenceEngine* engine,
                             const botm::v1::GetModelInfoResponse* served);

// A hint to turn admission control off when any run was refused with RESOURCE_EXHAUSTED, else "".
std::string AdmissionHint(const std::vector<BenchResult>& runs);

}  // namespace botm::client

#endif  // BOTM_CLIENT_BENCH_SETUP_H_
