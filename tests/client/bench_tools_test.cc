// Tests of botm-bench's run plan (stream lists, rounds, tags), its stream-count ratios and the
// threading-matrix summary of botm-bench-matrix.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "client/bench_matrix.h"
#include "client/bench_plan.h"
#include "client/bench_report.h"

namespace botm::client {
namespace {

// A run of `frames` frames in one second, every frame with client latency `latency_ms`.
BenchResult OneSecondRun(const std::string& mode, int streams, int frames, double latency_ms = 10) {
  BenchResult run;
  run.mode = mode;
  run.streams = streams;
  run.wall_seconds = 1.0;
  run.frames_ok = run.frames_sent = frames;
  for (int i = 0; i < frames; ++i) {
    FrameSample s;
    s.client_ms = latency_ms;
    run.samples.push_back(s);
  }
  return run;
}

TEST(BenchPlanTest, RoundsAlternateTheOrderAndArePooledPerStreamCount) {
  std::vector<std::string> calls;
  BenchPlan plan;
  plan.streams = {1, 8};
  plan.rounds = 2;
  plan.in_process = [&](int n) {
    calls.push_back("i" + std::to_string(n));
    return absl::StatusOr<BenchResult>(OneSecondRun("in_process", n, 10 * n));
  };
  plan.served = [&](int n) {
    calls.push_back("s" + std::to_string(n));
    return absl::StatusOr<BenchResult>(OneSecondRun("served", n, 9 * n));
  };
  absl::StatusOr<std::vector<BenchResult>> runs = RunBenchPlan(plan);
  ASSERT_TRUE(runs.ok()) << runs.status();
  EXPECT_EQ(calls, (std::vector<std::string>{"i1", "s1", "s1", "i1", "i8", "s8", "s8", "i8"}));
  ASSERT_EQ(runs->size(), 4u);
  EXPECT_EQ((*runs)[0].mode, "in_process");
  EXPECT_EQ((*runs)[0].streams, 1);
  EXPECT_EQ((*runs)[0].frames_ok, 20);  // two rounds pooled
  EXPECT_DOUBLE_EQ((*runs)[0].wall_seconds, 2.0);
  EXPECT_EQ((*runs)[3].mode, "served");
  EXPECT_EQ((*runs)[3].streams, 8);
  EXPECT_EQ((*runs)[3].frames_ok, 144);
}

TEST(BenchPlanTest, FirstFailureEndsThePlan) {
  int served_calls = 0;
  BenchPlan plan;
  plan.streams = {1, 2};
  plan.served = [&](int) {
    ++served_calls;
    return absl::StatusOr<BenchResult>(absl::UnavailableError("server gone"));
  };
  absl::StatusOr<std::vector<BenchResult>> runs = RunBenchPlan(plan);
  EXPECT_EQ(runs.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(served_calls, 1);
}

TEST(BenchPlanTest, StreamsListAndTagsParsing) {
  EXPECT_EQ(*ParseStreamsList("1,8"), (std::vector<int>{1, 8}));
  EXPECT_EQ(*ParseStreamsList(" 4 "), (std::vector<int>{4}));
  for (const char* bad : {"", "0", "1,x", "2,2", "-1"}) {
    EXPECT_EQ(ParseStreamsList(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  auto tags = ParseTags("background=idle,policy=ACTIVE,note=");
  ASSERT_TRUE(tags.ok());
  ASSERT_EQ(tags->size(), 3u);
  EXPECT_EQ((*tags)[1], std::make_pair(std::string("policy"), std::string("ACTIVE")));
  EXPECT_EQ((*tags)[2].second, "");
  EXPECT_TRUE(ParseTags("")->empty());
  for (const char* bad : {"a", "=b", "a=1,a=2"}) {
    EXPECT_EQ(ParseTags(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(BenchReportTest, RatiosPerStreamCount) {
  const std::vector<BenchResult> runs = {
      OneSecondRun("in_process", 1, 40), OneSecondRun("served", 1, 38),
      OneSecondRun("in_process", 8, 60), OneSecondRun("served", 8, 57)};
  EXPECT_NEAR(ServedOverInProcess(runs, 1), 0.95, 1e-9);
  EXPECT_NEAR(ServedOverInProcess(runs, 8), 0.95, 1e-9);
  EXPECT_NEAR(ServedOverInProcess(runs), 0.95, 1e-9);
  const std::vector<StreamsRatio> ratios = StreamsRatios(runs);
  ASSERT_EQ(ratios.size(), 2u);
  EXPECT_EQ(ratios[0].mode, "in_process");
  EXPECT_EQ(ratios[0].streams, 8);
  EXPECT_EQ(ratios[0].base_streams, 1);
  EXPECT_NEAR(ratios[0].ratio, 1.5, 1e-9);
  EXPECT_NEAR(ratios[1].ratio, 1.5, 1e-9);
  const nlohmann::json json = FormatJson(runs);
  EXPECT_NEAR(json["served_over_in_process_by_streams"]["8"].get<double>(), 0.95, 1e-9);
  EXPECT_EQ(json["streams_ratios"].size(), 2u);
  const std::string table = FormatTable(runs);
  EXPECT_NE(table.find("in_process: throughput with 8 streams / with 1: 1.500"), std::string::npos);
  EXPECT_NE(table.find("served / in-process throughput, 8 streams: 0.950"), std::string::npos);
  // One stream count: no ratio entries, the ratio line as before.
  const std::vector<BenchResult> single = {OneSecondRun("in_process", 2, 10),
                                           OneSecondRun("served", 2, 9)};
  EXPECT_TRUE(StreamsRatios(single).empty());
  EXPECT_FALSE(FormatJson(single).contains("streams_ratios"));
  EXPECT_NE(FormatTable(single).find("served / in-process throughput: 0.900"), std::string::npos);
}

// A botm-bench report of one cell of the matrix.
nlohmann::json Report(const std::string& bg, int inst, int thr, const std::string& policy,
                      const std::vector<BenchResult>& runs) {
  nlohmann::json report = FormatJson(runs);
  report["tags"] = {{"background", bg},
                    {"instances", std::to_string(inst)},
                    {"threads", std::to_string(thr)},
                    {"policy", policy}};
  return report;
}

std::vector<MatrixCell> Cells(const nlohmann::json& report) {
  absl::StatusOr<std::vector<MatrixCell>> cells = CellsFromReport(report, "test.json");
  EXPECT_TRUE(cells.ok()) << cells.status();
  return cells.ok() ? *cells : std::vector<MatrixCell>{};
}

// Three configurations on an idle and a busy machine, 1 and 8 streams:
// 1x2 ACTIVE is best idle, far worse busy; 1x2 PASSIVE is close everywhere; 2x1 PASSIVE ties
// 1x2 PASSIVE at 8 streams busy (within 3%) with a lower p99.
std::vector<MatrixCell> Matrix() {
  std::vector<MatrixCell> cells;
  const auto add = [&](const nlohmann::json& r) {
    for (const MatrixCell& c : Cells(r)) cells.push_back(c);
  };
  add(Report("idle", 1, 2, "ACTIVE",
             {OneSecondRun("in_process", 1, 100, 12), OneSecondRun("in_process", 8, 130, 70)}));
  add(Report("idle", 1, 2, "PASSIVE",
             {OneSecondRun("in_process", 1, 90, 13), OneSecondRun("in_process", 8, 120, 75)}));
  add(Report("idle", 2, 1, "PASSIVE",
             {OneSecondRun("in_process", 1, 50, 20), OneSecondRun("in_process", 8, 110, 80)}));
  add(Report("busy", 1, 2, "ACTIVE",
             {OneSecondRun("in_process", 1, 20, 60), OneSecondRun("in_process", 8, 25, 400)}));
  add(Report("busy", 1, 2, "PASSIVE",
             {OneSecondRun("in_process", 1, 60, 20), OneSecondRun("in_process", 8, 80, 120)}));
  add(Report("busy", 2, 1, "PASSIVE",
             {OneSecondRun("in_process", 1, 40, 30), OneSecondRun("in_process", 8, 78, 90)}));
  add(Report("idle", 1, 2, "ACTIVE", {OneSecondRun("served", 8, 125, 72)}));
  return cells;
}

TEST(BenchMatrixTest, ReportsBecomeCellsAndMissingTagsAreNamed) {
  const std::vector<MatrixCell> cells = Matrix();
  ASSERT_EQ(cells.size(), 13u);
  EXPECT_EQ(cells[0].background, "idle");
  EXPECT_EQ(cells[0].config.Name(), "1x2 ACTIVE");
  EXPECT_DOUBLE_EQ(cells[1].fps, 130);
  EXPECT_DOUBLE_EQ(cells[1].p99_ms, 70);
  nlohmann::json report = Report("idle", 1, 1, "PASSIVE", {OneSecondRun("in_process", 1, 10)});
  report["tags"].erase("policy");
  absl::StatusOr<std::vector<MatrixCell>> bad = CellsFromReport(report, "cell.json");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("policy"), absl::string_view::npos);
  report = Report("idle", 1, 1, "PASSIVE", {OneSecondRun("in_process", 1, 10)});
  report["tags"]["threads"] = "two";
  EXPECT_FALSE(CellsFromReport(report, "cell.json").ok());
  EXPECT_FALSE(CellsFromReport(nlohmann::json::object(), "empty.json").ok());
}

TEST(BenchMatrixTest, BestPerScenarioAndRecommendation) {
  const std::vector<MatrixCell> cells = Matrix();
  const std::vector<ScenarioBest> bests = BestPerScenario(cells);
  ASSERT_EQ(bests.size(), 4u);
  EXPECT_EQ(bests[0].background, "idle");
  EXPECT_EQ(bests[0].streams, 1);
  EXPECT_EQ(bests[0].best.config.Name(), "1x2 ACTIVE");
  EXPECT_FALSE(bests[0].served.has_value());
  EXPECT_EQ(bests[1].best.config.Name(), "1x2 ACTIVE");  // idle, 8 streams
  ASSERT_TRUE(bests[1].served.has_value());
  EXPECT_DOUBLE_EQ(bests[1].served->fps, 125);
  EXPECT_EQ(bests[2].best.config.Name(), "1x2 PASSIVE");  // busy, 1 stream
  EXPECT_EQ(bests[3].best.config.Name(), "2x1 PASSIVE");  // 78 ties 80 within 3 %, lower p99
  EXPECT_EQ(BestPerScenario(cells, 0.0)[3].best.config.Name(), "1x2 PASSIVE");
  // Worst shares: 1x2 ACTIVE 25/80, 1x2 PASSIVE 90/100, 2x1 PASSIVE 50/100.
  const Recommendation overall = Recommend(cells);
  ASSERT_TRUE(overall.valid);
  EXPECT_EQ(overall.config.Name(), "1x2 PASSIVE");
  EXPECT_NEAR(overall.worst_share, 0.9, 1e-9);
  EXPECT_EQ(Recommend(cells, "idle").config.Name(), "1x2 ACTIVE");
  EXPECT_EQ(Recommend(cells, "busy").config.Name(), "1x2 PASSIVE");
  EXPECT_FALSE(Recommend({}).valid);
  EXPECT_EQ(WinnersText(bests).substr(0, 38), "idle 1 1 2 ACTIVE\nidle 8 1 2 ACTIVE\nbu");
}

TEST(BenchMatrixTest, TableAndJson) {
  const std::vector<MatrixCell> cells = Matrix();
  const std::string table = FormatMatrix(cells);
  EXPECT_NE(table.find("idle       1x2 ACTIVE   |        100.0    12.0 /   12.0 |        130.0    "
                       "70.0 /   70.0 | 1.30"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("served/in-process 0.962"), std::string::npos) << table;
  EXPECT_NE(table.find("recommended default: 1x2 PASSIVE (at least 90%"), std::string::npos);
  const nlohmann::json json = MatrixJson(cells);
  EXPECT_EQ(json["cells"].size(), 13u);
  EXPECT_EQ(json["best"].size(), 4u);
  EXPECT_EQ(json["recommended"]["config"], "1x2 PASSIVE");
  EXPECT_EQ(json["recommended_by_background"]["idle"]["policy"], "ACTIVE");
  EXPECT_NEAR(json["best"][1]["served_over_in_process"].get<double>(), 125.0 / 130.0, 1e-9);
}

}  // namespace
}  // namespace botm::client
