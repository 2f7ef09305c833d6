// botm-bench-matrix: summarises the threading matrix of scripts/bench-threads.sh.
//
//   botm-bench-matrix [--json OUT] [--winners OUT] [--tie_pct 3] REPORT.json...
//
// Reads botm-bench JSON reports whose runs were tagged with --tags=background=B,instances=I,
// threads=T,policy=P, prints the comparison table, the best configuration per scenario
// (background x stream count) with its served run when one is among the reports, and the
// recommended default (client/bench_matrix.h has the rules). --winners writes one line per
// scenario, "BACKGROUND STREAMS INSTANCES THREADS POLICY", for the script's served runs.
// Exit codes: 0 ok, 1 unreadable or malformed report, 64 no reports.
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "client/bench_matrix.h"
#include "client/bench_setup.h"
#include "core/common/flags.h"

ABSL_FLAG(std::string, json, "", "Write the summary as JSON here");
ABSL_FLAG(std::string, winners, "", "Write the best configuration per scenario here (for scripts)");
ABSL_FLAG(double, tie_pct, 3.0,
          "Configurations within this many percent of a scenario's best frames/s tie; the "
          "lowest p99 latency among them wins");

int main(int argc, char** argv) {
  std::vector<char*> files = botm::ParseFlags(
      argc, argv, __FILE__, "botm-bench-matrix [--json OUT] [--winners OUT] REPORT.json...");
  if (files.size() < 2) {
    std::fprintf(stderr, "botm-bench-matrix: no reports given\n");
    return 64;
  }
  std::vector<botm::client::MatrixCell> cells;
  for (size_t i = 1; i < files.size(); ++i) {
    std::ifstream in(files[i]);
    const nlohmann::json report = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (report.is_discarded()) {
      std::fprintf(stderr, "botm-bench-matrix: %s: not JSON\n", files[i]);
      return 1;
    }
    auto parsed = botm::client::CellsFromReport(report, files[i]);
    if (!parsed.ok()) {
      std::fprintf(stderr, "botm-bench-matrix: %s\n",
                   std::string(parsed.status().message()).c_str());
      return 1;
    }
    cells.insert(cells.end(), parsed->begin(), parsed->end());
  }
  const double tie_pct = absl::GetFlag(FLAGS_tie_pct);
  std::printf("%s", botm::client::FormatMatrix(cells, tie_pct).c_str());
  for (const auto& [path, text] :
       {std::pair<std::string, std::string>{
            absl::GetFlag(FLAGS_json), botm::client::MatrixJson(cells, tie_pct).dump(2) + "\n"},
        {absl::GetFlag(FLAGS_winners),
         botm::client::WinnersText(botm::client::BestPerScenario(cells, tie_pct))}}) {
    if (absl::Status s = botm::client::WriteTextFile(path, text); !s.ok()) {
      std::fprintf(stderr, "botm-bench-matrix: %s\n", std::string(s.message()).c_str());
      return 1;
    }
  }
  return 0;
}
