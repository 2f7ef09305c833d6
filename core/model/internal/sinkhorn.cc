#include "core/model/internal/sinkhorn.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace botm {
namespace internal {

torch::Tensor CosineCost(const torch::Tensor& x_a, const torch::Tensor& x_b) {
  constexpr double kMinNorm = 1e-6;
  const torch::Tensor a = x_a.to(torch::kFloat32);
  const torch::Tensor b = x_b.to(torch::kFloat32);
  const torch::Tensor an = a / a.norm(2, -1, /*keepdim=*/true).clamp_min(kMinNorm);
  const torch::Tensor bn = b / b.norm(2, -1, /*keepdim=*/true).clamp_min(kMinNorm);
  // Rounding can push |cos| slightly above 1; the clamp keeps the cost in [0, 2].
  return (1.0 - torch::matmul(an, bn.transpose(1, 2))).clamp(0.0, 2.0);
}

namespace {

// Largest -C/eps for which the scaling form stays in fp64 range with room to spare (C <= 2).
constexpr double kMaxScalingExponent = 600.0;

// Sinkhorn-Knopp in the scaling domain (Cuturi 2013): K = exp(-C/eps), u = a / (K v),
// v = b / (K^T u); the same iterations as the log-domain form (f = eps log u, g = eps log v),
// computed in fp64 with plain loops: on CPU the tensors are tiny (at most max_ot_tokens^2 per
// frame) and the log-domain form's ~40 small torch operations per iteration cost far more than
// the arithmetic. Returns log T = log K + log u + log v as fp32 [B, N, M].
torch::Tensor ScalingSinkhornCpu(const torch::Tensor& cost, double epsilon, int iterations) {
  const torch::Tensor c = cost.to(torch::kFloat64).contiguous();
  const int64_t batch = c.size(0), n = c.size(1), m = c.size(2);
  torch::Tensor out = torch::empty({batch, n, m}, c.options().dtype(torch::kFloat32));
  std::vector<double> k(static_cast<size_t>(n * m)), u(n), v(m);
  const double a = 1.0 / static_cast<double>(n), b = 1.0 / static_cast<double>(m);
  for (int64_t s = 0; s < batch; ++s) {
    const double* cs = c.data_ptr<double>() + s * n * m;
    for (int64_t i = 0; i < n * m; ++i) k[i] = std::exp(-cs[i] / epsilon);
    std::fill(v.begin(), v.end(), 1.0);
    for (int it = 0; it < iterations; ++it) {
      for (int64_t i = 0; i < n; ++i) {
        double kv = 0;
        for (int64_t j = 0; j < m; ++j) kv += k[i * m + j] * v[j];
        u[i] = a / kv;
      }
      for (int64_t j = 0; j < m; ++j) v[j] = 0;
      for (int64_t i = 0; i < n; ++i) {
        for (int64_t j = 0; j < m; ++j) v[j] += k[i * m + j] * u[i];
      }
      for (int64_t j = 0; j < m; ++j) v[j] = b / v[j];
    }
    float* o = out.data_ptr<float>() + s * n * m;
    for (int64_t i = 0; i < n; ++i) {
      const double lu = std::log(u[i]);
      for (int64_t j = 0; j < m; ++j) {
        o[i * m + j] = static_cast<float>(-cs[i * m + j] / epsilon + lu + std::log(v[j]));
      }
    }
  }
  return out;
}

}  // namespace

torch::Tensor LogSinkhorn(const torch::Tensor& cost, double epsilon, int iterations) {
  // Inference on CPU (no autograd graph to build): the scaling form, while exp(-C/eps) keeps
  // clear of fp64 underflow (eps >= 2/600); training and GPUs use the unrolled log-domain form.
  if (!torch::GradMode::is_enabled() && cost.device().is_cpu() &&
      2.0 / epsilon < kMaxScalingExponent) {
    return ScalingSinkhornCpu(cost, epsilon, iterations);
  }
  const torch::Tensor k = -cost.to(torch::kFloat32) / epsilon;  // [B, N, M]
  const int64_t b = k.size(0), n = k.size(1), m = k.size(2);
  const double log_a = -std::log(static_cast<double>(n));
  const double log_b = -std::log(static_cast<double>(m));
  torch::Tensor f = torch::zeros({b, n, 1}, k.options());
  torch::Tensor g = torch::zeros({b, 1, m}, k.options());
  for (int it = 0; it < iterations; ++it) {
    f = log_a - torch::logsumexp(k + g, /*dim=*/2, /*keepdim=*/true);
    g = log_b - torch::logsumexp(k + f, /*dim=*/1, /*keepdim=*/true);
  }
  return k + f + g;
}

torch::Tensor ForwardProjection(const torch::Tensor& log_plan, const torch::Tensor& x_b) {
  const torch::Tensor rows = torch::softmax(log_plan, -1);  // diag(T 1)^-1 T
  return torch::matmul(rows.to(x_b.scalar_type()), x_b);
}

torch::Tensor BackwardProjection(const torch::Tensor& log_plan, const torch::Tensor& x_a) {
  const torch::Tensor cols = torch::softmax(log_plan.transpose(1, 2), -1);  // diag(T^T 1)^-1 T^T
  return torch::matmul(cols.to(x_a.scalar_type()), x_a);
}

double MarginalError(const torch::Tensor& plan) {
  const torch::Tensor p = plan.to(torch::kFloat64);
  const double n = static_cast<double>(p.size(1)), m = static_cast<double>(p.size(2));
  const double row = (p.sum(2) * n - 1.0).abs().max().item<double>();
  const double col = (p.sum(1) * m - 1.0).abs().max().item<double>();
  return std::max(row, col);
}

std::pair<int64_t, int64_t> PooledGrid(int64_t h, int64_t w, int64_t max_tokens) {
  for (int64_t f = 1;; ++f) {
    const int64_t ph = (h + f - 1) / f, pw = (w + f - 1) / f;
    if (ph * pw <= max_tokens || (ph == 1 && pw == 1)) return {ph, pw};
  }
}

torch::Tensor PooledTokens(const torch::Tensor& map, int64_t max_tokens) {
  const auto [ph, pw] = PooledGrid(map.size(2), map.size(3), max_tokens);
  const torch::Tensor grid =
      ph == map.size(2) && pw == map.size(3) ? map : torch::adaptive_avg_pool2d(map, {ph, pw});
  return grid.flatten(2).transpose(1, 2);
}

}  // namespace internal
}  // namespace botm
