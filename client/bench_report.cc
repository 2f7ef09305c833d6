#include "client/bench_report.h"

#include <algorithm>
#include <functional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace botm::client {
namespace {

using Getter = std::function<double(const FrameSample&)>;

const std::vector<Getter>& PhaseGetters() {
  static const auto* getters =
      new std::vector<Getter>{[](const FrameSample& s) { return s.client_ms; },
                              [](const FrameSample& s) { return s.server_total_ms; },
                              [](const FrameSample& s) { return s.decode_ms; },
                              [](const FrameSample& s) { return s.queue_ms; },
                              [](const FrameSample& s) { return s.inference_ms; },
                              [](const FrameSample& s) { return s.encode_ms; }};
  return *getters;
}

double MeanBatch(const BenchResult& run) {
  if (run.samples.empty()) return 0;
  double sum = 0;
  for (const FrameSample& s : run.samples) sum += s.batch_size;
  return sum / static_cast<double>(run.samples.size());
}

const BenchResult* FindRun(const std::vector<BenchResult>& runs, const std::string& mode,
                           int streams) {
  for (const BenchResult& run : runs) {
    if (run.mode == mode && run.streams == streams) return &run;
  }
  return nullptr;
}

// Stream counts present in `runs`, in first-seen order.
std::vector<int> StreamCounts(const std::vector<BenchResult>& runs) {
  std::vector<int> counts;
  for (const BenchResult& run : runs) {
    if (std::find(counts.begin(), counts.end(), run.streams) == counts.end()) {
      counts.push_back(run.streams);
    }
  }
  return counts;
}

}  // namespace

std::vector<std::string> PhaseNames() {
  return {"client", "server_total", "decode", "queue", "inference", "encode"};
}

std::vector<LatencySummary> PhaseSummaries(const BenchResult& result) {
  std::vector<LatencySummary> out;
  for (const Getter& get : PhaseGetters()) {
    std::vector<double> values;
    values.reserve(result.samples.size());
    for (const FrameSample& s : result.samples) values.push_back(get(s));
    out.push_back(Summarize(std::move(values)));
  }
  return out;
}

double ServedOverInProcess(const std::vector<BenchResult>& runs, int streams) {
  const BenchResult* served = FindRun(runs, "served", streams);
  const BenchResult* in_process = FindRun(runs, "in_process", streams);
  if (served == nullptr || in_process == nullptr || in_process->throughput_fps() <= 0) return 0;
  return served->throughput_fps() / in_process->throughput_fps();
}

double ServedOverInProcess(const std::vector<BenchResult>& runs) {
  int best = -1;
  for (const BenchResult& run : runs) {
    if (run.streams > best && FindRun(runs, "served", run.streams) != nullptr &&
        FindRun(runs, "in_process", run.streams) != nullptr) {
      best = run.streams;
    }
  }
  return best > 0 ? ServedOverInProcess(runs, best) : 0;
}

std::vector<StreamsRatio> StreamsRatios(const std::vector<BenchResult>& runs) {
  std::vector<StreamsRatio> out;
  for (const BenchResult& run : runs) {
    const BenchResult* base = nullptr;
    for (const BenchResult& other : runs) {
      if (other.mode == run.mode && (base == nullptr || other.streams < base->streams)) {
        base = &other;
      }
    }
    if (base == nullptr || base->streams == run.streams || base->throughput_fps() <= 0) continue;
    out.push_back(
        {run.mode, run.streams, base->streams, run.throughput_fps() / base->throughput_fps()});
  }
  return out;
}

std::string FormatTable(const std::vector<BenchResult>& runs) {
  std::string out;
  const std::vector<std::string> names = PhaseNames();
  for (const BenchResult& run : runs) {
    absl::StrAppendFormat(
        &out,
        "== %s: %d streams @ %s, %.2f s\n"
        "   throughput %.2f frames/s  ok %d  dropped %d  failed %d  "
        "streams failed %d  mean batch %.2f\n",
        run.mode, run.streams,
        run.target_fps > 0 ? absl::StrFormat("%.1f fps", run.target_fps) : std::string("max rate"),
        run.wall_seconds, run.throughput_fps(), run.frames_ok, run.frames_dropped,
        run.frames_failed, run.streams_failed, MeanBatch(run));
    absl::StrAppendFormat(&out, "   %-13s %9s %9s %9s %9s\n", "latency (ms)", "p50", "p90", "p99",
                          "mean");
    const std::vector<LatencySummary> phases = PhaseSummaries(run);
    for (size_t i = 0; i < phases.size(); ++i) {
      absl::StrAppendFormat(&out, "   %-13s %9.2f %9.2f %9.2f %9.2f\n", names[i], phases[i].p50_ms,
                            phases[i].p90_ms, phases[i].p99_ms, phases[i].mean_ms);
    }
    for (const std::string& error : run.errors) absl::StrAppend(&out, "   error: ", error, "\n");
  }
  const std::vector<int> counts = StreamCounts(runs);
  for (int streams : counts) {
    const double ratio = ServedOverInProcess(runs, streams);
    if (ratio <= 0) continue;
    if (counts.size() == 1) {
      absl::StrAppendFormat(&out, "served / in-process throughput: %.3f\n", ratio);
    } else {
      absl::StrAppendFormat(&out, "served / in-process throughput, %d streams: %.3f\n", streams,
                            ratio);
    }
  }
  for (const StreamsRatio& r : StreamsRatios(runs)) {
    absl::StrAppendFormat(&out, "%s: throughput with %d streams / with %d: %.3f\n", r.mode,
                          r.streams, r.base_streams, r.ratio);
  }
  return out;
}

std::string FormatCsv(const std::vector<BenchResult>& runs) {
  std::string out =
      "mode,streams,target_fps,wall_s,frames_sent,frames_ok,frames_dropped,frames_failed,"
      "streams_failed,throughput_fps";
  for (const std::string& name : PhaseNames()) {
    absl::StrAppend(&out, ",", name, "_p50_ms,", name, "_p90_ms,", name, "_p99_ms,", name,
                    "_mean_ms");
  }
  out += "\n";
  for (const BenchResult& run : runs) {
    absl::StrAppendFormat(&out, "%s,%d,%.3f,%.3f,%d,%d,%d,%d,%d,%.3f", run.mode, run.streams,
                          run.target_fps, run.wall_seconds, run.frames_sent, run.frames_ok,
                          run.frames_dropped, run.frames_failed, run.streams_failed,
                          run.throughput_fps());
    for (const LatencySummary& p : PhaseSummaries(run)) {
      absl::StrAppendFormat(&out, ",%.3f,%.3f,%.3f,%.3f", p.p50_ms, p.p90_ms, p.p99_ms, p.mean_ms);
    }
    out += "\n";
  }
  return out;
}

nlohmann::json FormatJson(const std::vector<BenchResult>& runs) {
  nlohmann::json json_runs = nlohmann::json::array();
  const std::vector<std::string> names = PhaseNames();
  for (const BenchResult& run : runs) {
    nlohmann::json latency = nlohmann::json::object();
    const std::vector<LatencySummary> phases = PhaseSummaries(run);
    for (size_t i = 0; i < phases.size(); ++i) {
      latency[names[i]] = {{"p50_ms", phases[i].p50_ms}, {"p90_ms", phases[i].p90_ms},
                           {"p99_ms", phases[i].p99_ms}, {"mean_ms", phases[i].mean_ms},
                           {"max_ms", phases[i].max_ms}, {"count", phases[i].count}};
    }
    json_runs.push_back({{"mode", run.mode},
                         {"streams", run.streams},
                         {"target_fps", run.target_fps},
                         {"wall_s", run.wall_seconds},
                         {"frames_sent", run.frames_sent},
                         {"frames_ok", run.frames_ok},
                         {"frames_dropped", run.frames_dropped},
                         {"frames_failed", run.frames_failed},
                         {"streams_failed", run.streams_failed},
                         {"throughput_fps", run.throughput_fps()},
                         {"mean_batch_size", MeanBatch(run)},
                         {"latency", latency},
                         {"errors", run.errors}});
  }
  nlohmann::json out = {{"runs", json_runs}};
  const double ratio = ServedOverInProcess(runs);
  if (ratio > 0) out["served_over_in_process"] = ratio;
  const std::vector<int> counts = StreamCounts(runs);
  if (counts.size() > 1 && ratio > 0) {
    nlohmann::json by_streams = nlohmann::json::object();
    for (int streams : counts) {
      const double r = ServedOverInProcess(runs, streams);
      if (r > 0) by_streams[std::to_string(streams)] = r;
    }
    out["served_over_in_process_by_streams"] = by_streams;
  }
  nlohmann::json ratios = nlohmann::json::array();
  for (const StreamsRatio& r : StreamsRatios(runs)) {
    ratios.push_back({{"mode", r.mode},
                      {"streams", r.streams},
                      {"base_streams", r.base_streams},
                      {"ratio", r.ratio}});
  }
  if (!ratios.empty()) out["streams_ratios"] = ratios;
  return out;
}

}  // namespace botm::client
