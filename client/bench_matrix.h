// The threading matrix of scripts/bench-threads.sh, summarised: botm-bench JSON reports of
// runs tagged with their configuration (tags background, instances, threads, policy; see
// botm-bench --tags) become one comparison table, the best configuration per scenario
// (background x stream count) and a recommended default.
//
// Rules (docs/PERFORMANCE.md):
// - best per scenario: the in-process configuration with the highest frames/s; among those
//   within tie_pct of it, the one with the lowest client p99 latency;
// - recommended default (overall, and per background): the configuration whose worst share of
//   each scenario's best frames/s is highest (max-min), ties by the mean share.
//
// Thread-safety: pure functions.
#ifndef BOTM_CLIENT_BENCH_MATRIX_H_
#define BOTM_CLIENT_BENCH_MATRIX_H_

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"

namespace botm::client {

struct ThreadConfig {
  int instances = 1;
  int threads = 1;     // intra-op threads per instance
  std::string policy;  // OMP_WAIT_POLICY: PASSIVE | ACTIVE
  // "2x1 ACTIVE" (instances x threads, policy).
  std::string Name() const;
  bool operator==(const ThreadConfig& o) const {
    return instances == o.instances && threads == o.threads && policy == o.policy;
  }
};

// One run of one report.
struct MatrixCell {
  std::string background;  // e.g. idle | busy
  std::string mode;        // in_process | served
  ThreadConfig config;
  int streams = 0;
  double fps = 0;     // throughput, frames/s
  double p50_ms = 0;  // client latency
  double p99_ms = 0;
};

// The runs of one botm-bench report; `source` names it in errors. InvalidArgument when the
// report lacks runs or one of the four tags, or a tag is malformed.
absl::StatusOr<std::vector<MatrixCell>> CellsFromReport(const nlohmann::json& report,
                                                        const std::string& source);

// The first cell of that mode, configuration, background and stream count; null if none.
const MatrixCell* FindCell(const std::vector<MatrixCell>& cells, const std::string& mode,
                           const ThreadConfig& config, const std::string& background, int streams);

struct ScenarioBest {
  std::string background;
  int streams = 0;
  MatrixCell best;                   // in-process
  std::optional<MatrixCell> served;  // the served run of the same configuration, if any
};

// One entry per (background, streams) with in-process runs, in first-seen order.
std::vector<ScenarioBest> BestPerScenario(const std::vector<MatrixCell>& cells,
                                          double tie_pct = 3.0);

struct Recommendation {
  ThreadConfig config;
  double worst_share = 0;  // its lowest frames/s share of a scenario's best, 0..1
  double mean_share = 0;
  bool valid = false;  // false when no configuration ran in every scenario
};

// Over the in-process scenarios whose background is `background` (empty = all backgrounds);
// only configurations that ran in every such scenario compete.
Recommendation Recommend(const std::vector<MatrixCell>& cells, const std::string& background = "");

// The comparison table (one row per background and configuration, columns per stream count:
// frames/s, p50, p99, and the ratio of the largest count to the smallest), the served runs,
// the best configuration per scenario and the recommendations.
std::string FormatMatrix(const std::vector<MatrixCell>& cells, double tie_pct = 3.0);

// The same as JSON: {"cells": [...], "best": [...], "recommended": {...},
// "recommended_by_background": {...}}.
nlohmann::json MatrixJson(const std::vector<MatrixCell>& cells, double tie_pct = 3.0);

// One line per scenario for the script: "BACKGROUND STREAMS INSTANCES THREADS POLICY".
std::string WinnersText(const std::vector<ScenarioBest>& bests);

}  // namespace botm::client

#endif  // BOTM_CLIENT_BENCH_MATRIX_H_
