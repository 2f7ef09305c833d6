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
// phase; then, with two runs, the throughput ratio of the second to the first.
std::string FormatTable(const std::vector<BenchResult>& runs);

// CSV with a header line and one line per run (mode, streams, target fps, wall s, counts,
// throughput, then p50/p90/p99/mean ms per phase).
std::string FormatCsv(const std::vector<BenchResult>& runs);

// {"runs": [...], "served_over_in_process": ratio (when both modes ran)}.
nlohmann::json FormatJson(const std::vector<BenchResult>& runs);

// Returns served throughput / in-process throughput when both modes are present, else 0.
double ServedOverInProcess(const std::vector<BenchResult>& runs);

// Draws the client-side latency CDF of each run (one colour per run, log-free ms axis up to
// the largest p99 x 1.2) into a PNG of width x height pixels. Internal when it cannot write.
absl::Status WriteLatencyPlot(const std::vector<BenchResult>& runs, const std::string& path,
                              int width_px = 800, int height_px = 500);

}  // namespace botm::client

#endif  // BOTM_CLIENT_BENCH_REPORT_H_
