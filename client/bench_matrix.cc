#include "client/bench_matrix.h"

#include <algorithm>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace botm::client {
namespace {

absl::StatusOr<std::string> Tag(const nlohmann::json& report, const char* key,
                                const std::string& source) {
  const nlohmann::json& tags = report.value("tags", nlohmann::json::object());
  if (!tags.is_object() || !tags.contains(key) || !tags[key].is_string() ||
      tags[key].get<std::string>().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": no tag '", key, "' (run botm-bench with --tags)"));
  }
  return tags[key].get<std::string>();
}

absl::StatusOr<int> IntTag(const nlohmann::json& report, const char* key,
                           const std::string& source) {
  absl::StatusOr<std::string> text = Tag(report, key, source);
  if (!text.ok()) return text.status();
  int value = 0;
  if (!absl::SimpleAtoi(*text, &value) || value < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": tag ", key, "='", *text, "' is not a count >= 1"));
  }
  return value;
}

std::vector<MatrixCell> InProcess(const std::vector<MatrixCell>& cells) {
  std::vector<MatrixCell> out;
  for (const MatrixCell& c : cells) {
    if (c.mode == "in_process") out.push_back(c);
  }
  return out;
}

// Best in-process frames/s per (background, streams).
std::map<std::pair<std::string, int>, double> BestFps(const std::vector<MatrixCell>& cells) {
  std::map<std::pair<std::string, int>, double> best;
  for (const MatrixCell& c : InProcess(cells)) {
    double& b = best[{c.background, c.streams}];
    b = std::max(b, c.fps);
  }
  return best;
}

}  // namespace

const MatrixCell* FindCell(const std::vector<MatrixCell>& cells, const std::string& mode,
                           const ThreadConfig& config, const std::string& background, int streams) {
  for (const MatrixCell& c : cells) {
    if (c.mode == mode && c.config == config && c.background == background &&
        c.streams == streams) {
      return &c;
    }
  }
  return nullptr;
}

std::string ThreadConfig::Name() const {
  return absl::StrCat(instances, "x", threads, " ", policy);
}

absl::StatusOr<std::vector<MatrixCell>> CellsFromReport(const nlohmann::json& report,
                                                        const std::string& source) {
  if (!report.is_object() || !report.contains("runs") || !report["runs"].is_array()) {
    return absl::InvalidArgumentError(source + ": not a botm-bench report (no runs)");
  }
  MatrixCell proto;
  absl::StatusOr<std::string> background = Tag(report, "background", source);
  absl::StatusOr<std::string> policy = Tag(report, "policy", source);
  absl::StatusOr<int> instances = IntTag(report, "instances", source);
  absl::StatusOr<int> threads = IntTag(report, "threads", source);
  for (const absl::Status& s :
       {background.status(), policy.status(), instances.status(), threads.status()}) {
    if (!s.ok()) return s;
  }
  proto.background = *background;
  proto.config = {*instances, *threads, *policy};
  std::vector<MatrixCell> cells;
  try {
    for (const nlohmann::json& run : report["runs"]) {
      MatrixCell c = proto;
      c.mode = run.at("mode").get<std::string>();
      c.streams = run.at("streams").get<int>();
      c.fps = run.at("throughput_fps").get<double>();
      c.p50_ms = run.at("latency").at("client").at("p50_ms").get<double>();
      c.p99_ms = run.at("latency").at("client").at("p99_ms").get<double>();
      cells.push_back(c);
    }
  } catch (const nlohmann::json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": malformed run: ", e.what()));
  }
  return cells;
}

std::vector<ScenarioBest> BestPerScenario(const std::vector<MatrixCell>& cells, double tie_pct) {
  std::vector<ScenarioBest> out;
  const auto best_fps = BestFps(cells);
  for (const MatrixCell& c : InProcess(cells)) {
    auto it = std::find_if(out.begin(), out.end(), [&](const ScenarioBest& s) {
      return s.background == c.background && s.streams == c.streams;
    });
    const double floor_fps = best_fps.at({c.background, c.streams}) * (1.0 - tie_pct / 100.0);
    if (c.fps < floor_fps) continue;
    if (it == out.end()) {
      out.push_back({c.background, c.streams, c, std::nullopt});
    } else if (c.p99_ms < it->best.p99_ms) {
      it->best = c;
    }
  }
  for (ScenarioBest& s : out) {
    const MatrixCell* served = FindCell(cells, "served", s.best.config, s.background, s.streams);
    if (served != nullptr) s.served = *served;
  }
  return out;
}

Recommendation Recommend(const std::vector<MatrixCell>& cells, const std::string& background) {
  const auto best_fps = BestFps(cells);
  std::vector<ThreadConfig> configs;
  for (const MatrixCell& c : InProcess(cells)) {
    if (std::find(configs.begin(), configs.end(), c.config) == configs.end()) {
      configs.push_back(c.config);
    }
  }
  Recommendation best;
  for (const ThreadConfig& config : configs) {
    double worst = 1.0, sum = 0;
    int scenarios = 0;
    bool complete = true;
    for (const auto& [scenario, top] : best_fps) {
      if (!background.empty() && scenario.first != background) continue;
      const MatrixCell* cell =
          FindCell(cells, "in_process", config, scenario.first, scenario.second);
      if (cell == nullptr) {
        complete = false;
        break;
      }
      const double share = top > 0 ? cell->fps / top : 1.0;
      worst = std::min(worst, share);
      sum += share;
      ++scenarios;
    }
    if (!complete || scenarios == 0) continue;
    const double mean = sum / scenarios;
    if (!best.valid || worst > best.worst_share ||
        (worst == best.worst_share && mean > best.mean_share)) {
      best = {config, worst, mean, true};
    }
  }
  return best;
}

std::string WinnersText(const std::vector<ScenarioBest>& bests) {
  std::string out;
  for (const ScenarioBest& s : bests) {
    absl::StrAppend(&out, s.background, " ", s.streams, " ", s.best.config.instances, " ",
                    s.best.config.threads, " ", s.best.config.policy, "\n");
  }
  return out;
}

}  // namespace botm::client
