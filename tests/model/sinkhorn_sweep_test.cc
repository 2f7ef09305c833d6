// Tests of the Sinkhorn iteration sweep of botm-model-bench on the shipped checkpoint.
#include "core/model/internal/sinkhorn_sweep.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace botm::internal {
namespace {

SweepOptions SmallSweep() {
  SweepOptions o;
  o.model_path = DefaultModelPath();
  o.iterations = {1, 20};  // 20 is the checkpoint's own count: it must not appear twice
  o.clips = 1;
  o.frames = 3;
  o.frame_size_px = 96;
  o.timing_iters = 1;
  return o;
}

TEST(SinkhornSweepTest, ReferenceRowIsExactAndOneIterationIsWorse) {
  at::set_num_threads(1);
  absl::StatusOr<SweepResult> r = RunSinkhornSweep(SmallSweep());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->reference_iterations, 20);
  EXPECT_EQ(r->pairs, 2);
  EXPECT_EQ(r->frames, 3);
  ASSERT_EQ(r->rows.size(), 2u);
  const SweepRow& one = r->rows[0];
  const SweepRow& ref = r->rows[1];
  EXPECT_EQ(one.iterations, 1);
  EXPECT_FALSE(one.reference);
  EXPECT_TRUE(ref.reference);
  EXPECT_EQ(ref.plan_l1_max, 0.0);
  EXPECT_EQ(ref.label_changed_pct, 0.0);
  // One Sinkhorn iteration leaves the row marginals far off; twenty nearly meet them.
  EXPECT_GT(one.marginal_error_max, ref.marginal_error_max);
  EXPECT_GT(one.plan_l1_mean, 0.0);
  EXPECT_LE(one.plan_l1_max, 2.0);  // plans have mass 1
  for (const SweepRow& row : r->rows) {
    EXPECT_GT(row.sinkhorn_ms, 0.0);
    for (double d : row.dice_vs_truth) {
      EXPECT_GE(d, 0.0);
      EXPECT_LE(d, 1.0);
    }
  }
  const nlohmann::json json = ToJson(*r);
  EXPECT_EQ(json["rows"].size(), 2u);
  EXPECT_EQ(json["rows"][1]["reference"], true);
}

TEST(SinkhornSweepTest, BadOptionsAreInvalidArgument) {
  SweepOptions o = SmallSweep();
  o.iterations = {0};
  EXPECT_EQ(RunSinkhornSweep(o).status().code(), absl::StatusCode::kInvalidArgument);
  o = SmallSweep();
  o.frames = 1;
  EXPECT_EQ(RunSinkhornSweep(o).status().code(), absl::StatusCode::kInvalidArgument);
  o = SmallSweep();
  o.model_path = "/no/such/model.pt";
  EXPECT_FALSE(RunSinkhornSweep(o).ok());
}

}  // namespace
}  // namespace botm::internal
