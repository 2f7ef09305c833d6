#include "client/bench_plan.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace botm::client {
namespace {

// Adds one round's run to the mode's total (wall times add up, samples are pooled).
void Accumulate(const BenchResult& run, BenchResult* total) {
  total->mode = run.mode;
  total->streams = run.streams;
  total->target_fps = run.target_fps;
  total->wall_seconds += run.wall_seconds;
  MergeInto(run, total);
}

// Runs `mode` (when set) and pools its result into *total.
absl::Status RunInto(const ModeRun& mode, int streams, BenchResult* total) {
  if (!mode) return absl::OkStatus();
  absl::StatusOr<BenchResult> run = mode(streams);
  if (!run.ok()) return run.status();
  Accumulate(*run, total);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<BenchResult>> RunBenchPlan(const BenchPlan& plan) {
  std::vector<BenchResult> out;
  for (int streams : plan.streams) {
    // totals[0]: in-process, [1]: served, [2]: served with bombs.
    std::vector<BenchResult> totals(3);
    for (int round = 0; round < std::max(1, plan.rounds); ++round) {
      const bool in_process_first = round % 2 == 0;
      for (int k = 0; k < 2; ++k) {
        const bool in_process_turn = (k == 0) == in_process_first;
        absl::Status s = in_process_turn ? RunInto(plan.in_process, streams, &totals[0])
                                         : RunInto(plan.served, streams, &totals[1]);
        if (!s.ok()) return s;
      }
      if (absl::Status s = RunInto(plan.served_with_bombs, streams, &totals[2]); !s.ok()) return s;
    }
    for (BenchResult& total : totals) {
      if (!total.mode.empty()) out.push_back(std::move(total));
    }
  }
  return out;
}

absl::StatusOr<std::vector<int>> ParseStreamsList(absl::string_view text) {
  std::vector<int> out;
  for (absl::string_view item : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    int n = 0;
    if (!absl::SimpleAtoi(item, &n) || n < 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("--streams_list: '", item, "' is not a stream count >= 1"));
    }
    if (std::find(out.begin(), out.end(), n) != out.end()) {
      return absl::InvalidArgumentError(absl::StrCat("--streams_list: ", n, " is listed twice"));
    }
    out.push_back(n);
  }
  if (out.empty()) return absl::InvalidArgumentError("--streams_list: no stream count");
  return out;
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ParseTags(absl::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  for (absl::string_view item : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    const size_t eq = item.find('=');
    const std::string key(item.substr(0, eq));
    if (eq == absl::string_view::npos || key.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("--tags: '", item, "' is not key=value"));
    }
    for (const auto& [k, v] : out) {
      if (k == key) return absl::InvalidArgumentError(absl::StrCat("--tags: '", key, "' twice"));
    }
    out.emplace_back(key, std::string(item.substr(eq + 1)));
  }
  return out;
}

}  // namespace botm::client
