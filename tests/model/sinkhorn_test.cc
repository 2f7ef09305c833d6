// Tests of the log-domain Sinkhorn solver and the barycentric projections.
#include "core/model/internal/sinkhorn.h"

#include <cstdio>

#include <gtest/gtest.h>

namespace botm::internal {
namespace {

bool AllFinite(const torch::Tensor& t) { return torch::isfinite(t).all().item<bool>(); }

torch::Tensor Plan(const torch::Tensor& xa, const torch::Tensor& xb, double eps, int iters) {
  return LogSinkhorn(CosineCost(xa, xb), eps, iters).exp();
}

TEST(SinkhornTest, MarginalsAtTwentyIterations) {
  torch::manual_seed(1);
  const torch::Tensor xa = torch::randn({2, 64, 32});
  const torch::Tensor xb = torch::randn({2, 48, 32});
  const torch::Tensor plan = Plan(xa, xb, 0.1, 20);
  EXPECT_NEAR(plan.sum().item<double>() / 2.0, 1.0, 1e-4);
  const double err = MarginalError(plan);
  std::printf("marginal error (relative, eps 0.1, 20 iterations, 64x48 random tokens): %.3g\n",
              err);
  EXPECT_LT(err, 0.02);
  // The column marginal is exact after the last g-update; rows carry the error.
  const torch::Tensor cols = plan.sum(1) * 48.0;
  EXPECT_LT((cols - 1.0).abs().max().item<double>(), 1e-4);
}

// Inference on CPU runs the same iterations in the scaling form (fp64 loops); training keeps the
// unrolled log-domain form. Both give the same plan, also for peaked plans and small eps, and
// the inference path is bit-identical from run to run.
TEST(SinkhornTest, InferencePathEqualsTheLogDomainIterations) {
  torch::manual_seed(9);
  const torch::Tensor xa = torch::randn({3, 64, 32});
  const torch::Tensor xb = torch::cat(
      {xa.slice(1, 0, 40) + 0.05 * torch::randn({3, 40, 32}), torch::randn({3, 24, 32})}, 1);
  for (double eps : {0.1, 0.05, 0.01}) {
    for (int iters : {1, 5, 20}) {
      const torch::Tensor cost = CosineCost(xa, xb);
      const torch::Tensor log_domain = LogSinkhorn(cost, eps, iters);  // grad mode on: reference
      torch::Tensor fast, again;
      {
        torch::InferenceMode guard;
        fast = LogSinkhorn(cost, eps, iters);
        again = LogSinkhorn(cost, eps, iters);
      }
      ASSERT_EQ(fast.sizes(), log_domain.sizes());
      const double diff = (fast.exp() - log_domain.exp()).abs().max().item<double>();
      EXPECT_LT(diff, 1e-6) << "eps " << eps << " iterations " << iters;
      EXPECT_TRUE(torch::equal(fast, again));
    }
  }
}

TEST(SinkhornTest, MoreIterationsReduceMarginalError) {
  torch::manual_seed(2);
  const torch::Tensor xa = torch::randn({1, 64, 16});
  const torch::Tensor xb = torch::randn({1, 64, 16});
  const double e5 = MarginalError(Plan(xa, xb, 0.05, 5));
  const double e50 = MarginalError(Plan(xa, xb, 0.05, 50));
  std::printf("marginal error eps 0.05: 5 it %.3g, 50 it %.3g\n", e5, e50);
  EXPECT_LT(e50, e5);
}

TEST(SinkhornTest, FiniteForIdenticalConstantAndZeroTokens) {
  torch::manual_seed(3);
  const torch::Tensor random = torch::randn({1, 64, 32});
  const torch::Tensor constant = torch::ones({1, 64, 32}) * 3.0;
  const torch::Tensor zeros = torch::zeros({1, 64, 32});
  for (double eps : {0.1, 0.01}) {
    EXPECT_TRUE(AllFinite(Plan(random, random, eps, 20))) << eps;
    EXPECT_TRUE(AllFinite(Plan(constant, constant, eps, 20))) << eps;
    EXPECT_TRUE(AllFinite(Plan(zeros, zeros, eps, 20))) << eps;
    EXPECT_TRUE(AllFinite(Plan(zeros, random, eps, 20))) << eps;
  }
  // Constant frames: every pair costs the same, so the plan is uniform.
  const torch::Tensor uniform = Plan(constant, constant, 0.1, 20);
  EXPECT_NEAR(uniform.max().item<double>(), 1.0 / (64 * 64), 1e-7);
}

TEST(SinkhornTest, HalfPrecisionInputsComputeInFloat) {
  torch::manual_seed(4);
  const torch::Tensor xa = torch::randn({1, 32, 16}).to(torch::kHalf);
  const torch::Tensor xb = torch::randn({1, 32, 16}).to(torch::kBFloat16);
  const torch::Tensor log_plan = LogSinkhorn(CosineCost(xa, xb), 0.01, 20);
  EXPECT_EQ(log_plan.scalar_type(), torch::kFloat32);
  EXPECT_TRUE(AllFinite(log_plan.exp()));
}

TEST(SinkhornTest, IdenticalFramesConcentrateOnDiagonal) {
  torch::manual_seed(5);
  const int n = 64;
  const torch::Tensor x = torch::randn({1, n, 32});
  const torch::Tensor plan = Plan(x, x, 0.1, 20)[0];
  const double diag_share = plan.diagonal().sum().item<double>();  // plan sums to 1
  std::printf("identical frames: diagonal mass %.3f (uniform plan: %.4f)\n", diag_share, 1.0 / n);
  EXPECT_GT(diag_share, 10.0 / n);
  // A peaked plan is the hard case for convergence; report it at the shipped 20 iterations.
  for (double eps : {0.1, 0.03, 0.01}) {
    std::printf("identical frames: relative marginal error at eps %.2f, 20 iterations: %.3g\n", eps,
                MarginalError(Plan(x, x, eps, 20)));
  }
  // Smoothly related frames (a token grid and its one-token shift) at the default eps.
  const torch::Tensor shifted = torch::roll(x, 1, 1);
  std::printf("shifted frames: relative marginal error at eps 0.10, 20 iterations: %.3g\n",
              MarginalError(Plan(x, shifted + 0.3 * torch::randn_like(x), 0.1, 20)));
  EXPECT_LT(MarginalError(Plan(x, x, 0.1, 20)), 0.05);
}

TEST(SinkhornTest, GradientsAreFinite) {
  torch::manual_seed(6);
  for (double eps : {0.1, 0.01}) {
    torch::Tensor xa = torch::randn({1, 32, 16}, torch::requires_grad());
    torch::Tensor xb = xa.detach().clone().requires_grad_(true);
    const torch::Tensor log_plan = LogSinkhorn(CosineCost(xa, xb), eps, 20);
    const torch::Tensor loss =
        ForwardProjection(log_plan, xb).pow(2).sum() + BackwardProjection(log_plan, xa).sum();
    loss.backward();
    EXPECT_TRUE(AllFinite(xa.grad())) << eps;
    EXPECT_TRUE(AllFinite(xb.grad())) << eps;
    EXPECT_GT(xa.grad().abs().sum().item<double>(), 0.0);
  }
  torch::Tensor zeros = torch::zeros({1, 16, 8}, torch::requires_grad());
  LogSinkhorn(CosineCost(zeros, zeros), 0.01, 20).exp().sum().backward();
  EXPECT_TRUE(AllFinite(zeros.grad()));
}

TEST(SinkhornTest, ProjectionsAreBarycentres) {
  torch::manual_seed(7);
  const torch::Tensor xa = torch::randn({1, 8, 4});
  const torch::Tensor xb = torch::randn({1, 6, 4});
  const torch::Tensor log_plan = LogSinkhorn(CosineCost(xa, xb), 0.1, 20);
  const torch::Tensor t = log_plan.exp()[0];
  const torch::Tensor expected_f = torch::matmul(t / t.sum(1, true), xb[0]);
  const torch::Tensor expected_b = torch::matmul((t / t.sum(0, true)).t(), xa[0]);
  EXPECT_TRUE(torch::allclose(ForwardProjection(log_plan, xb)[0], expected_f, 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(BackwardProjection(log_plan, xa)[0], expected_b, 1e-5, 1e-6));
}

TEST(SinkhornTest, PooledGridRespectsTokenLimit) {
  EXPECT_EQ(PooledGrid(8, 8, 256), std::make_pair(int64_t{8}, int64_t{8}));
  EXPECT_EQ(PooledGrid(32, 32, 256), std::make_pair(int64_t{16}, int64_t{16}));
  const auto g = PooledGrid(21, 17, 100);
  EXPECT_LE(g.first * g.second, 100);
  EXPECT_EQ(g, std::make_pair(int64_t{11}, int64_t{9}));
}

}  // namespace
}  // namespace botm::internal
