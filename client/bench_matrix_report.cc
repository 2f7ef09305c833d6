// FormatMatrix and MatrixJson (declared in bench_matrix.h).
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/bench_matrix.h"

namespace botm::client {
namespace {

// First-seen order of the values key(cell) takes over the in-process cells.
template <typename T, typename Key>
std::vector<T> Distinct(const std::vector<MatrixCell>& cells, Key key) {
  std::vector<T> out;
  for (const MatrixCell& c : cells) {
    if (c.mode != "in_process") continue;
    const T value = key(c);
    if (std::find(out.begin(), out.end(), value) == out.end()) out.push_back(value);
  }
  return out;
}

std::vector<int> StreamCounts(const std::vector<MatrixCell>& cells) {
  std::vector<int> counts = Distinct<int>(cells, [](const MatrixCell& c) { return c.streams; });
  std::sort(counts.begin(), counts.end());
  return counts;
}

std::string Scenario(const std::string& background, int streams) {
  return absl::StrCat(background, ", ", streams, streams == 1 ? " stream" : " streams");
}

std::string RecommendationLine(const Recommendation& r) {
  if (!r.valid) return "none (no configuration ran in every scenario)";
  return absl::StrFormat("%s (at least %.0f%% of the best frames/s in every scenario, mean %.0f%%)",
                         r.config.Name(), 100 * r.worst_share, 100 * r.mean_share);
}

void AppendTable(const std::vector<MatrixCell>& cells, std::string* out) {
  const std::vector<int> counts = StreamCounts(cells);
  absl::StrAppendFormat(out, "%-10s %-12s", "background", "config");
  for (int n : counts) {
    absl::StrAppendFormat(out, " | %-11s fps  p50 / p99 ms",
                          absl::StrCat(n, n == 1 ? " stream" : " streams"));
  }
  if (counts.size() > 1) absl::StrAppendFormat(out, " | %d/%d", counts.back(), counts.front());
  *out += "\n";
  for (const std::string& bg :
       Distinct<std::string>(cells, [](const MatrixCell& c) { return c.background; })) {
    for (const ThreadConfig& config :
         Distinct<ThreadConfig>(cells, [](const MatrixCell& c) { return c.config; })) {
      std::string row = absl::StrFormat("%-10s %-12s", bg, config.Name());
      bool any = false;
      for (int n : counts) {
        const MatrixCell* c = FindCell(cells, "in_process", config, bg, n);
        any = any || c != nullptr;
        absl::StrAppend(&row, c == nullptr ? absl::StrFormat(" | %29s", "-")
                                           : absl::StrFormat(" | %12.1f %7.1f / %6.1f", c->fps,
                                                             c->p50_ms, c->p99_ms));
      }
      const MatrixCell* lo = FindCell(cells, "in_process", config, bg, counts.front());
      const MatrixCell* hi = FindCell(cells, "in_process", config, bg, counts.back());
      if (counts.size() > 1 && lo != nullptr && hi != nullptr && lo->fps > 0) {
        absl::StrAppendFormat(&row, " | %.2f", hi->fps / lo->fps);
      }
      if (any) absl::StrAppend(out, row, "\n");
    }
  }
}

}  // namespace

std::string FormatMatrix(const std::vector<MatrixCell>& cells, double tie_pct) {
  std::string out = "threading matrix, in-process (frames/s; client latency p50 / p99 ms):\n";
  AppendTable(cells, &out);
  const std::vector<ScenarioBest> bests = BestPerScenario(cells, tie_pct);
  absl::StrAppendFormat(
      &out, "best per scenario (highest frames/s; within %.0f%% of it, lowest p99):\n", tie_pct);
  for (const ScenarioBest& s : bests) {
    absl::StrAppendFormat(&out, "  %-20s %-12s in-process %7.1f fps, p50 %.1f / p99 %.1f ms",
                          Scenario(s.background, s.streams), s.best.config.Name(), s.best.fps,
                          s.best.p50_ms, s.best.p99_ms);
    if (s.served) {
      absl::StrAppendFormat(&out,
                            " | served %7.1f fps, p50 %.1f / p99 %.1f ms, served/in-process %.3f",
                            s.served->fps, s.served->p50_ms, s.served->p99_ms,
                            s.best.fps > 0 ? s.served->fps / s.best.fps : 0.0);
    }
    out += "\n";
  }
  absl::StrAppend(&out, "recommended default: ", RecommendationLine(Recommend(cells)), "\n");
  for (const std::string& bg :
       Distinct<std::string>(cells, [](const MatrixCell& c) { return c.background; })) {
    absl::StrAppend(&out, "  with background ", bg,
                    " only: ", RecommendationLine(Recommend(cells, bg)), "\n");
  }
  return out;
}

nlohmann::json MatrixJson(const std::vector<MatrixCell>& cells, double tie_pct) {
  const auto cell_json = [](const MatrixCell& c) {
    return nlohmann::json{{"background", c.background},      {"mode", c.mode},
                          {"instances", c.config.instances}, {"threads", c.config.threads},
                          {"policy", c.config.policy},       {"streams", c.streams},
                          {"throughput_fps", c.fps},         {"client_p50_ms", c.p50_ms},
                          {"client_p99_ms", c.p99_ms}};
  };
  const auto rec_json = [](const Recommendation& r) {
    if (!r.valid) return nlohmann::json(nullptr);
    return nlohmann::json{{"config", r.config.Name()},    {"instances", r.config.instances},
                          {"threads", r.config.threads},  {"policy", r.config.policy},
                          {"worst_share", r.worst_share}, {"mean_share", r.mean_share}};
  };
  nlohmann::json out = {{"cells", nlohmann::json::array()},
                        {"best", nlohmann::json::array()},
                        {"tie_pct", tie_pct},
                        {"recommended", rec_json(Recommend(cells))},
                        {"recommended_by_background", nlohmann::json::object()}};
  for (const MatrixCell& c : cells) out["cells"].push_back(cell_json(c));
  for (const ScenarioBest& s : BestPerScenario(cells, tie_pct)) {
    nlohmann::json best = {
        {"background", s.background}, {"streams", s.streams}, {"in_process", cell_json(s.best)}};
    if (s.served) {
      best["served"] = cell_json(*s.served);
      if (s.best.fps > 0) best["served_over_in_process"] = s.served->fps / s.best.fps;
    }
    out["best"].push_back(best);
  }
  for (const std::string& bg :
       Distinct<std::string>(cells, [](const MatrixCell& c) { return c.background; })) {
    out["recommended_by_background"][bg] = rec_json(Recommend(cells, bg));
  }
  return out;
}

}  // namespace botm::client
