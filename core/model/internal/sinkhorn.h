// Entropy-regularised optimal transport between two frames' tokens (BOTM, "optimal token
// matching"; Cuturi, "Sinkhorn Distances", NeurIPS 2013; log-domain stabilisation after
// Peyre & Cuturi, "Computational Optimal Transport", 2019, section 4.4).
//
// Cost C_ij = 1 - cos(x_a,i, x_b,j) in [0, 2]; uniform marginals a = 1/N, b = 1/M; a fixed number
// of log-domain iterations
//   f_i = log a_i - logsumexp_j(-C_ij/eps + g_j),  g_j = log b_j - logsumexp_i(-C_ij/eps + f_i),
// unrolled so that gradients flow through every iteration; log T_ij = -C_ij/eps + f_i + g_j.
// Numerics: everything runs in fp32 whatever the input dtype (fp16/bf16 inputs are upcast);
// token norms are clamped before the cosine so zero tokens (constant frames) give cost 1, not
// NaN; logsumexp keeps eps down to 0.01 finite (exponents reach -200).
#ifndef BOTM_CORE_MODEL_INTERNAL_SINKHORN_H_
#define BOTM_CORE_MODEL_INTERNAL_SINKHORN_H_

#include <cstdint>

#include <torch/torch.h>

namespace botm {
namespace internal {

// x_a [B, N, D], x_b [B, M, D] -> cost [B, N, M] in fp32.
torch::Tensor CosineCost(const torch::Tensor& x_a, const torch::Tensor& x_b);

// cost [B, N, M] -> log-plan [B, N, M] (fp32); the plan sums to 1 (rows to 1/N, columns 1/M
// up to the convergence error after `iterations`). Under autograd (training) or on a GPU it
// runs the unrolled log-domain iterations above; for CPU inference (GradMode off) the same
// iterations in the equivalent scaling form, fp64, without per-operation overhead (equal to
// the log-domain result to ~1e-6; tests/model/sinkhorn_test.cc).
torch::Tensor LogSinkhorn(const torch::Tensor& cost, double epsilon, int iterations);

// Barycentric projections from a log-plan. Forward: row-normalised plan times the partner's
// tokens, diag(T 1)^-1 T X_b -> [B, N, D]. Backward: diag(T^T 1)^-1 T^T X_a -> [B, M, D].
// The normalisation is a softmax of the log-plan, so it never divides by an underflowed sum.
torch::Tensor ForwardProjection(const torch::Tensor& log_plan, const torch::Tensor& x_b);
torch::Tensor BackwardProjection(const torch::Tensor& log_plan, const torch::Tensor& x_a);

// Largest relative marginal violation of a plan: max(|N * T 1 - 1|, |M * T^T 1 - 1|).
double MarginalError(const torch::Tensor& plan);

// Side of the pooled token grid: the smallest integer factor f such that
// ceil(h/f) * ceil(w/f) <= max_tokens; returns {ceil(h/f), ceil(w/f)}.
std::pair<int64_t, int64_t> PooledGrid(int64_t h, int64_t w, int64_t max_tokens);

// The tokens a stage map [B, C, H, W] takes part in the matching with: the map itself when it has
// at most max_tokens cells, else adaptive-average-pooled to PooledGrid; -> [B, N', C] (row-major).
torch::Tensor PooledTokens(const torch::Tensor& map, int64_t max_tokens);

}  // namespace internal
}  // namespace botm

#endif  // BOTM_CORE_MODEL_INTERNAL_SINKHORN_H_
