// Reports of botm-bench runs: a console table, perf_analyzer-style CSV, JSON, and a latency
// CDF plot drawn with OpenCV.
//
// Thread-safety: pure functions apart from the file WriteLatencyPlot writes.
#ifndef BOTM_CLIENT_BENCH_REPORT_H_
#define BOTM_CLIENT_BENCH_REPORT_H_

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "client/bench_runner.h"
#include "client/latency_stats.h"

namespace botm::client {

// Latency phases reported, in this order: client, server_total, decode, queue, inference,
// encode.
std::vector<std::string> PhaseNames();
// Summaries of each phase over the run's samples, in PhaseNames() order.
std::vector<LatencySummary> PhaseSummaries(const BenchResult& result);

// A human-readable table: one block per run with throughput, counts and p50/p90/p99/mean per
// phase; then the served / in-process throughput ratio per stream count where both modes ran,
// and each StreamsRatio.
std::string FormatTable(const std::vector<BenchResult>& runs);

// CSV with a header line and one line per run (mode, streams, target fps, wall s, counts,
// throughput, then p50/p90/p99/mean ms per phase).
std::string FormatCsv(const std::vector<BenchResult>& runs);

// {"runs": [...], "served_over_in_process": ratio (when both modes ran; at the largest stream
// count both ran), "served_over_in_process_by_streams": {"N": ratio, ...} (with several stream
// counts), "streams_ratios": [{"mode", "streams", "base_streams", "ratio"}, ...] (when any)}.
nlohmann::json FormatJson(const std::vector<BenchResult>& runs);

// Returns served throughput / in-process throughput at `streams` when both modes ran at that
// stream count, else 0.
double ServedOverInProcess(const std::vector<BenchResult>& runs, int streams);
// The same at the largest stream count both modes ran; 0 when there is none.
double ServedOverInProcess(const std::vector<BenchResult>& runs);

// Throughput of a mode at `streams` over its throughput at its smallest stream count
// (`base_streams`): the batching gain, e.g. 8 streams / 1 stream.
struct StreamsRatio {
  std::string mode;
  int streams = 0;
  int base_streams = 0;
  double ratio = 0;
};
// One entry per mode and stream count above the mode's smallest, in the order of `runs`.
std::vector<StreamsRatio> StreamsRatios(const std::vector<BenchResult>& runs);

// Draws the client-side latency CDF of each run (one colour per run, log-free ms axis up to
// the largest p99 x 1.2) into a PNG of width x height pixels. Internal when it cannot write.
absl::Status WriteLatencyPlot(const std::vector<BenchResult>& runs, const std::string& path,
                              int width_px = 800, int height_px = 500);

}  // namespace botm::client

#endif  // BOTM_CLIENT_BENCH_REPORT_H_
