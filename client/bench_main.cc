// botm-bench: load generator for botm-server, and the same load in-process.
//
//   botm-bench --server ADDR --streams N --fps F --duration S [--size 128] [--json FILE]
//              [--csv FILE] [--plot FILE]
//   botm-bench --in_process --model PATH ...     (no gRPC: server/inference_engine.h)
//   botm-bench --compare --server ADDR ...       (in-process, then served; prints the ratio)
//   [--rounds R]: repeats the runs, alternating their order with --compare, and pools them
//   [--bomb_streams B]: after each served run, the same run again while B other streams send
//              pixel bombs (PNG frames small on the wire, huge decoded; --bomb_size,
//              --bomb_channels, --bomb_bits); the table's "served+bombs" row against "served"
//              shows whether the well-behaved streams' latency (p99) stays the same
//
// With --compare, batch policy flags left at 0 take the server's values (GetModelInfo).
// Exit codes: 0 when every run segmented frames without stream failures, 1 otherwise.
#include <atomic>
#include <cstdio>
#include <fstream>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "client/bench_bombs.h"
#include "client/bench_report.h"
#include "client/bench_runner.h"
#include "client/channel.h"
#include "client/inprocess_bench.h"
#include "client/service_calls.h"
#include "core/common/flags.h"
#include "core/common/progress_bar.h"
#include "server/model_loader.h"

ABSL_FLAG(std::string, server, "127.0.0.1:50051", "Server address host:port");
ABSL_FLAG(std::string, tls_ca, "", "PEM CA certificate: use TLS when set");
ABSL_FLAG(std::string, tls_cert, "", "PEM client certificate (mutual TLS)");
ABSL_FLAG(std::string, tls_key, "", "PEM client key (mutual TLS)");
ABSL_FLAG(int, streams, 1, "Concurrent streams");
ABSL_FLAG(double, fps, 0, "Frames/s per stream (0 = as fast as possible)");
ABSL_FLAG(double, duration, 5, "Seconds of sending per run");
ABSL_FLAG(int, size, 128, "Synthetic frame side, pixels");
ABSL_FLAG(uint64_t, seed, 1, "Stream s replays synthetic seed + s");
ABSL_FLAG(int, clip_frames, 32, "Frames rendered per stream (replayed cyclically)");
ABSL_FLAG(int, max_in_flight, 4, "Frames sent but not answered, per stream");
ABSL_FLAG(bool, latest_only, false, "Overflow policy latest-only (drops are counted)");
ABSL_FLAG(std::string, json, "", "Write the report as JSON here");
ABSL_FLAG(std::string, csv, "", "Write the report as CSV here");
ABSL_FLAG(std::string, plot, "", "Write a latency CDF plot (PNG) here");
ABSL_FLAG(bool, in_process, false, "Run the model in this process (no gRPC)");
ABSL_FLAG(bool, compare, false, "In-process run, then served run; print the ratio");
ABSL_FLAG(int, rounds, 1, "Repeat the run(s), alternating the order with --compare; pooled");
ABSL_FLAG(std::string, model, "", "In-process: checkpoint (empty = shipped default)");
ABSL_FLAG(int, instances, 0, "In-process model instances (0 = server's / 1)");
ABSL_FLAG(int, max_batch_size, 0, "In-process max batch (0 = server's / engine default)");
ABSL_FLAG(int64_t, batch_timeout_us, 2000, "In-process batch timeout, microseconds");
ABSL_FLAG(int, max_queue_frames, 64, "In-process queue bound, frames");
ABSL_FLAG(int, threads_per_instance, 0, "In-process intra-op threads (0 = auto)");
ABSL_FLAG(bool, progress, true, "Show a progress bar");
ABSL_FLAG(int, bomb_streams, 0, "Served: also run with this many pixel-bomb streams (0 = off)");
ABSL_FLAG(std::string, bomb_size, "4096x4096", "Pixel bomb frame size, WxH");
ABSL_FLAG(int, bomb_channels, 4, "Pixel bomb channels (1, 3, 4)");
ABSL_FLAG(int, bomb_bits, 16, "Pixel bomb bits per sample (8, 16)");
ABSL_FLAG(double, bomb_fps, 0, "Pixel bomb frames/s per stream (0 = as fast as answered)");

namespace botm::client {
namespace {

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "botm-bench: error: %s\n", status.ToString().c_str());
  return 1;
}

// Runs `body` while a progress bar over the run's duration is drawn.
template <typename Body>
auto WithProgress(const std::string& label, std::atomic<int64_t>* frames, Body body) {
  ProgressBar::Options bar_options;
  bar_options.unit = "ds";
  bar_options.enabled = absl::GetFlag(FLAGS_progress);
  const int64_t total_ds = static_cast<int64_t>(absl::GetFlag(FLAGS_duration) * 10);
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

absl::StatusOr<std::unique_ptr<server::InferenceEngine>> CreateEngine(
    const botm::v1::GetModelInfoResponse* served) {
  server::InferenceEngineOptions engine_options;
  SegmenterOptions model;
  model.model_path = absl::GetFlag(FLAGS_model);
  model.intra_op_threads = absl::GetFlag(FLAGS_threads_per_instance);
  engine_options.instances = absl::GetFlag(FLAGS_instances);
  engine_options.max_batch_size = absl::GetFlag(FLAGS_max_batch_size);
  if (engine_options.instances <= 0) {
    engine_options.instances = served != nullptr ? std::max<int>(1, served->instances()) : 1;
  }
  if (engine_options.max_batch_size <= 0) {
    engine_options.max_batch_size =
        served != nullptr && served->max_batch_size() > 0 ? served->max_batch_size() : 4;
  }
  engine_options.batch_timeout_micros = absl::GetFlag(FLAGS_batch_timeout_us);
  engine_options.max_queue_frames = absl::GetFlag(FLAGS_max_queue_frames);
  auto engine = server::LoadEngine(model, engine_options);
  if (!engine.ok()) return engine.status();
  std::fprintf(stderr, "in-process: model %s (sha256 %.12s), %d instances, max batch %d\n",
               (*engine)->model_info().name.c_str(), (*engine)->model_info().weights_sha256.c_str(),
               engine_options.instances, engine_options.max_batch_size);
  if (served != nullptr && served->weights_sha256() != (*engine)->model_info().weights_sha256) {
    std::fprintf(stderr, "warning: in-process weights differ from the server's (sha256 %.12s)\n",
                 served->weights_sha256().c_str());
  }
  return engine;
}

absl::StatusOr<BenchResult> InProcessRun(server::InferenceEngine* engine,
                                         const BenchOptions& options, const BenchClips& clips) {
  std::atomic<int64_t> frames{0};
  BenchOptions run_options = options;
  run_options.frames_done = &frames;
  return WithProgress("in-process", &frames,
                      [&] { return RunInProcessBench(engine, run_options, clips); });
}

// Adds one round's run to the mode's total (wall times add up, samples are pooled).
void Accumulate(const BenchResult& run, BenchResult* total) {
  total->mode = run.mode;
  total->streams = run.streams;
  total->target_fps = run.target_fps;
  total->wall_seconds += run.wall_seconds;
  MergeInto(run, total);
}

absl::StatusOr<BenchResult> ServedRun(const std::shared_ptr<grpc::Channel>& channel,
                                      const BenchOptions& options, const BenchClips& clips) {
  auto stub = botm::v1::SegmentationService::NewStub(channel);
  std::atomic<int64_t> frames{0};
  BenchOptions run_options = options;
  run_options.frames_done = &frames;
  return WithProgress("served", &frames,
                      [&] { return RunServedBench(stub.get(), run_options, clips); });
}

absl::StatusOr<BombOptions> BombFlags() {
  BombOptions o;
  o.streams = absl::GetFlag(FLAGS_bomb_streams);
  o.channels = absl::GetFlag(FLAGS_bomb_channels);
  o.bits = absl::GetFlag(FLAGS_bomb_bits);
  o.fps = absl::GetFlag(FLAGS_bomb_fps);
  if (absl::Status s = ParseBombSize(absl::GetFlag(FLAGS_bomb_size), &o); !s.ok()) return s;
  return o;
}

absl::Status WriteText(const std::string& path, const std::string& text) {
  if (path.empty()) return absl::OkStatus();
  std::ofstream out(path, std::ios::trunc);
  out << text;
  if (!out) return absl::InternalError("cannot write '" + path + "'");
  return absl::OkStatus();
}

absl::Status Report(const std::vector<BenchResult>& runs) {
  std::printf("%s", FormatTable(runs).c_str());
  if (absl::Status s = WriteText(absl::GetFlag(FLAGS_csv), FormatCsv(runs)); !s.ok()) return s;
  if (absl::Status s = WriteText(absl::GetFlag(FLAGS_json), FormatJson(runs).dump(2) + "\n");
      !s.ok()) {
    return s;
  }
  const std::string plot = absl::GetFlag(FLAGS_plot);
  return plot.empty() ? absl::OkStatus() : WriteLatencyPlot(runs, plot);
}

int Main() {
  BenchOptions options;
  options.streams = absl::GetFlag(FLAGS_streams);
  options.fps = absl::GetFlag(FLAGS_fps);
  options.duration_s = absl::GetFlag(FLAGS_duration);
  options.size_px = absl::GetFlag(FLAGS_size);
  options.seed = absl::GetFlag(FLAGS_seed);
  options.clip_frames = absl::GetFlag(FLAGS_clip_frames);
  options.max_in_flight_frames = absl::GetFlag(FLAGS_max_in_flight);
  options.latest_only = absl::GetFlag(FLAGS_latest_only);
  const bool compare = absl::GetFlag(FLAGS_compare);
  const bool served = compare || !absl::GetFlag(FLAGS_in_process);
  absl::StatusOr<BenchClips> clips = RenderBenchClips(options);
  if (!clips.ok()) return Fail(clips.status());

  absl::StatusOr<BombOptions> bombs = BombFlags();
  if (!bombs.ok()) return Fail(bombs.status());
  std::string bomb_png;
  if (bombs->streams > 0) {
    absl::StatusOr<std::string> png = MakeBombPng(*bombs);
    if (!png.ok()) return Fail(png.status());
    bomb_png = *std::move(png);
  }
  std::shared_ptr<grpc::Channel> channel, bomb_channel;
  botm::v1::GetModelInfoResponse served_info;
  if (served) {
    ChannelOptions channel_options;
    channel_options.address = absl::GetFlag(FLAGS_server);
    channel_options.tls_ca_path = absl::GetFlag(FLAGS_tls_ca);
    channel_options.tls_cert_path = absl::GetFlag(FLAGS_tls_cert);
    channel_options.tls_key_path = absl::GetFlag(FLAGS_tls_key);
    auto connected = Connect(channel_options);
    if (!connected.ok()) return Fail(connected.status());
    channel = *connected;
    if (bombs->streams > 0) {
      // A connection of its own, as from another client (not the benchmark's HTTP/2 one).
      ChannelOptions bomb_options = channel_options;
      bomb_options.own_connection = true;
      auto bomb = Connect(bomb_options);
      if (!bomb.ok()) return Fail(bomb.status());
      bomb_channel = *bomb;
    }
    auto info = FetchModelInfo(channel, 10000);
    if (!info.ok()) return Fail(info.status());
    served_info = *info;
  }
  std::unique_ptr<server::InferenceEngine> engine;
  if (!served || compare) {
    auto created = CreateEngine(compare ? &served_info : nullptr);
    if (!created.ok()) return Fail(created.status());
    engine = *std::move(created);
  }
  // runs[0]: in-process (when it runs), runs[1]: served; rounds alternate the order so that
  // load drifting during a run affects both modes alike.
  std::vector<BenchResult> totals(3);
  for (int round = 0; round < std::max(1, absl::GetFlag(FLAGS_rounds)); ++round) {
    for (int k = 0; k < 2; ++k) {
      const bool in_process_turn = (k == 0) == (round % 2 == 0);
      if (in_process_turn && engine != nullptr) {
        auto run = InProcessRun(engine.get(), options, *clips);
        if (!run.ok()) return Fail(run.status());
        Accumulate(*run, &totals[0]);
      } else if (!in_process_turn && served) {
        auto run = ServedRun(channel, options, *clips);
        if (!run.ok()) return Fail(run.status());
        Accumulate(*run, &totals[1]);
      }
    }
    if (served && bombs->streams > 0) {
      auto bomb_stub = botm::v1::SegmentationService::NewStub(bomb_channel);
      auto run = RunWithBombs(bomb_stub.get(), *bombs, bomb_png, options.duration_s,
                              [&] { return ServedRun(channel, options, *clips); });
      if (!run.ok()) return Fail(run.status());
      Accumulate(*run, &totals[2]);
    }
  }
  std::vector<BenchResult> runs;
  for (BenchResult& total : totals) {
    if (!total.mode.empty()) runs.push_back(std::move(total));
  }
  if (absl::Status s = Report(runs); !s.ok()) return Fail(s);
  for (const BenchResult& run : runs) {
    for (const std::string& error : run.errors) {
      if (error.find("RESOURCE_EXHAUSTED") != std::string::npos) {
        std::fprintf(stderr,
                     "hint: the server's admission control refused streams; for "
                     "saturation runs start botm-server with --admission_load_factor=0\n");
        break;
      }
    }
  }
  for (const BenchResult& run : runs) {
    if (run.frames_ok == 0 || run.streams_failed > 0) return 1;
  }
  return 0;
}

}  // namespace
}  // namespace botm::client

int main(int argc, char** argv) {
  botm::ParseFlags(argc, argv, __FILE__,
                   "botm-bench [--server ADDR | --in_process --model PATH | --compare] "
                   "--streams N --fps F --duration S");
  return botm::client::Main();
}
