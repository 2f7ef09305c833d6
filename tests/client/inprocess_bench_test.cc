// botm-bench's in-process mode on an untrained checkpoint made by the test.
#include <gtest/gtest.h>

#include "client/bench_runner.h"
#include "client/inprocess_bench.h"
#include "client/latency_stats.h"
#include "server/model_loader.h"
#include "core/model/model_factory.h"
#include "tests/client/subprocess.h"

namespace botm::client {
namespace {

TEST(InProcessBenchTest, OneSecondRunGivesSaneNumbers) {
  const std::string model = testing::MakeTempDir("inprocess") + "/tiny.pt";
  ASSERT_TRUE(CreateInitialCheckpoint(ModelConfig(), 2, model).ok());
  server::InferenceEngineOptions engine_options;
  engine_options.warmup_iterations = 1;
  SegmenterOptions model_options;
  model_options.model_path = model;
  model_options.intra_op_threads = 1;
  auto engine = server::LoadEngine(model_options, engine_options);
  ASSERT_TRUE(engine.ok()) << engine.status();
  BenchOptions options;
  options.streams = 2;
  options.duration_s = 1;
  options.clip_frames = 4;
  auto clips = RenderBenchClips(options);
  ASSERT_TRUE(clips.ok()) << clips.status();
  auto run = RunInProcessBench(engine->get(), options, *clips);
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->mode, "in_process");
  EXPECT_GT(run->frames_ok, 0);
  EXPECT_EQ(run->frames_failed, 0);
  EXPECT_GT(run->throughput_fps(), 0);
  std::vector<double> latency;
  for (const FrameSample& s : run->samples) latency.push_back(s.client_ms);
  const LatencySummary summary = Summarize(latency);
  EXPECT_GT(summary.p50_ms, 0);
  EXPECT_LE(summary.p50_ms, summary.p99_ms);
  EXPECT_GE(run->wall_seconds, 1.0);
}

}  // namespace
}  // namespace botm::client
