// botm-bench: load generator for botm-server, and the same load in-process.
//
//   botm-bench --server ADDR --streams N --fps F --duration S [--size 128] [--json FILE]
//              [--csv FILE] [--plot FILE]
//   botm-bench --in_process --model PATH ...     (no gRPC: server/inference_engine.h)
//   botm-bench --compare --server ADDR ...       (in-process, then served; prints the ratio)
//   [--rounds R]: repeats the runs, alternating their order with --compare, and pools them
//   [--streams_list 1,8]: the runs at each stream count in turn, plus the throughput ratio of
//              each count to the first (the batching gain, e.g. 8 streams / 1 stream)
//   [--tags k=v,...]: labels copied into the JSON report (scripts/bench-threads.sh uses them)
//   [--bomb_streams B]: after each served run, the same run again while B other streams send
//              pixel bombs (PNG frames small on the wire, huge decoded; --bomb_size,
//              --bomb_channels, --bomb_bits); the table's "served+bombs" row against "served"
//              shows whether the well-behaved streams' latency (p99) stays the same
//
// With --compare, batch policy flags left at 0 take the server's values (GetModelInfo).
// Exit codes: 0 when every run segmented frames without stream failures, 1 otherwise.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>

#include "absl/flags/flag.h"
#include "absl/strings/str_format.h"
#include "client/bench_bombs.h"
#include "client/bench_plan.h"
#include "client/bench_report.h"
#include "client/bench_runner.h"
#include "client/bench_setup.h"
#include "client/channel.h"
#include "client/inprocess_bench.h"
#include "client/service_calls.h"
#include "core/common/flags.h"
#include "server/model_loader.h"

ABSL_FLAG(std::string, server, "127.0.0.1:50051", "Server address host:port");
ABSL_FLAG(std::string, tls_ca, "", "PEM CA certificate: use TLS when set");
ABSL_FLAG(std::string, tls_cert, "", "PEM client certificate (mutual TLS)");
ABSL_FLAG(std::string, tls_key, "", "PEM client key (mutual TLS)");
ABSL_FLAG(int, streams, 1, "Concurrent streams");
ABSL_FLAG(std::string, streams_list, "",
          "Comma list of stream counts run one after the other, e.g. 1,8 (overrides --streams); "
          "the report adds the throughput ratio of each count to the first");
ABSL_FLAG(std::string, tags, "",
          "key=value,... copied into the JSON report's \"tags\" (e.g. background=idle)");
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
  return RunWithProgress("in-process", options.duration_s, absl::GetFlag(FLAGS_progress), &frames,
                         [&] { return RunInProcessBench(engine, run_options, clips); });
}

absl::StatusOr<BenchResult> ServedRun(const std::shared_ptr<grpc::Channel>& channel,
                                      const BenchOptions& options, const BenchClips& clips) {
  auto stub = botm::v1::SegmentationService::NewStub(channel);
  std::atomic<int64_t> frames{0};
  BenchOptions run_options = options;
  run_options.frames_done = &frames;
  return RunWithProgress("served", options.duration_s, absl::GetFlag(FLAGS_progress), &frames,
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

absl::Status Report(const std::vector<BenchResult>& runs, nlohmann::json meta) {
  std::printf("%s", FormatTable(runs).c_str());
  if (absl::Status s = WriteTextFile(absl::GetFlag(FLAGS_csv), FormatCsv(runs)); !s.ok()) return s;
  nlohmann::json json = FormatJson(runs);
  for (auto& [key, value] : meta.items()) json[key] = value;
  if (absl::Status s = WriteTextFile(absl::GetFlag(FLAGS_json), json.dump(2) + "\n"); !s.ok()) {
    return s;
  }
  const std::string plot = absl::GetFlag(FLAGS_plot);
  return plot.empty() ? absl::OkStatus() : WriteLatencyPlot(runs, plot);
}

ChannelOptions ChannelFlags() {
  ChannelOptions o;
  o.address = absl::GetFlag(FLAGS_server);
  o.tls_ca_path = absl::GetFlag(FLAGS_tls_ca);
  o.tls_cert_path = absl::GetFlag(FLAGS_tls_cert);
  o.tls_key_path = absl::GetFlag(FLAGS_tls_key);
  return o;
}

int Main() {
  BenchOptions options;
  options.fps = absl::GetFlag(FLAGS_fps);
  options.duration_s = absl::GetFlag(FLAGS_duration);
  options.size_px = absl::GetFlag(FLAGS_size);
  options.seed = absl::GetFlag(FLAGS_seed);
  options.clip_frames = absl::GetFlag(FLAGS_clip_frames);
  options.max_in_flight_frames = absl::GetFlag(FLAGS_max_in_flight);
  options.latest_only = absl::GetFlag(FLAGS_latest_only);
  const std::string streams_list = absl::GetFlag(FLAGS_streams_list);
  absl::StatusOr<std::vector<int>> counts = streams_list.empty()
                                                ? std::vector<int>{absl::GetFlag(FLAGS_streams)}
                                                : ParseStreamsList(streams_list);
  if (!counts.ok()) return Fail(counts.status());
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> tags =
      ParseTags(absl::GetFlag(FLAGS_tags));
  if (!tags.ok()) return Fail(tags.status());
  const bool compare = absl::GetFlag(FLAGS_compare);
  const bool served = compare || !absl::GetFlag(FLAGS_in_process);
  options.streams = *std::max_element(counts->begin(), counts->end());
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
  ServedSide side;
  if (served) {
    auto connected = ConnectServed(ChannelFlags(), bombs->streams > 0);
    if (!connected.ok()) return Fail(connected.status());
    side = *std::move(connected);
  }
  std::unique_ptr<server::InferenceEngine> engine;
  if (!served || compare) {
    auto created = CreateEngine(compare ? &side.info : nullptr);
    if (!created.ok()) return Fail(created.status());
    engine = *std::move(created);
  }
  const auto at = [&](int streams) {
    BenchOptions o = options;
    o.streams = streams;
    return o;
  };
  BenchPlan plan;
  plan.streams = *counts;
  plan.rounds = absl::GetFlag(FLAGS_rounds);
  if (engine != nullptr) {
    plan.in_process = [&](int n) { return InProcessRun(engine.get(), at(n), *clips); };
  }
  if (served) plan.served = [&](int n) { return ServedRun(side.channel, at(n), *clips); };
  if (served && bombs->streams > 0) {
    plan.served_with_bombs = [&](int n) {
      auto bomb_stub = botm::v1::SegmentationService::NewStub(side.bomb_channel);
      return RunWithBombs(bomb_stub.get(), *bombs, bomb_png, options.duration_s,
                          [&] { return ServedRun(side.channel, at(n), *clips); });
    };
  }
  absl::StatusOr<std::vector<BenchResult>> runs = RunBenchPlan(plan);
  if (!runs.ok()) return Fail(runs.status());
  nlohmann::json config =
      RunConfigJson(options, plan.rounds, engine.get(), served ? &side.info : nullptr);
  if (served) config["server"]["address"] = absl::GetFlag(FLAGS_server);
  nlohmann::json meta = {{"config", config}, {"tags", nlohmann::json::object()}};
  for (const auto& [key, value] : *tags) meta["tags"][key] = value;
  if (absl::Status s = Report(*runs, meta); !s.ok()) return Fail(s);
  if (const std::string hint = AdmissionHint(*runs); !hint.empty()) {
    std::fprintf(stderr, "%s\n", hint.c_str());
  }
  for (const BenchResult& run : *runs) {
    if (run.frames_ok == 0 || run.streams_failed > 0) return 1;
  }
  return 0;
}

}  // namespace
}  // namespace botm::client

int main(int argc, char** argv) {
  botm::ParseFlags(argc, argv, __FILE__,
                   "botm-bench [--server ADDR | --in_process --model PATH | --compare] "
                   "--streams N | --streams_list N,M --fps F --duration S");
  return botm::client::Main();
}
