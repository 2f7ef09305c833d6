// The order of botm-bench's runs: for each stream count (--streams_list), `rounds` rounds of
// the in-process and served runs, alternating which goes first from round to round (so load
// drifting during a run affects both modes alike), then the served run with pixel bombs; the
// rounds of one mode and stream count are pooled into one BenchResult.
//
// Thread-safety: RunBenchPlan calls the run functions one at a time on the calling thread.
#ifndef BOTM_CLIENT_BENCH_PLAN_H_
#define BOTM_CLIENT_BENCH_PLAN_H_

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "client/bench_runner.h"

namespace botm::client {

// Runs one mode at a stream count; unset (empty) when the mode is not part of the plan.
using ModeRun = std::function<absl::StatusOr<BenchResult>(int streams)>;

struct BenchPlan {
  std::vector<int> streams = {1};  // stream counts, run in this order, each >= 1
  int rounds = 1;                  // >= 1
  ModeRun in_process;
  ModeRun served;
  ModeRun served_with_bombs;  // after the served run of each round
};

// Returns the pooled results ordered by stream count, then in_process, served, served+bombs
// (modes that did not run are left out). The first failing run's status ends the plan.
absl::StatusOr<std::vector<BenchResult>> RunBenchPlan(const BenchPlan& plan);

// Parses "1,8" (comma-separated counts >= 1, no duplicates). InvalidArgument naming the bad item.
absl::StatusOr<std::vector<int>> ParseStreamsList(absl::string_view text);

// Parses "key=value,key=value" (empty text = none; keys non-empty and unique, values may be
// empty). InvalidArgument naming the bad item.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ParseTags(absl::string_view text);

}  // namespace botm::client

#endif  // BOTM_CLIENT_BENCH_PLAN_H_
