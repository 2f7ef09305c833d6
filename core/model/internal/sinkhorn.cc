#include "core/model/internal/sinkhorn.h"

#include <cmath>

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

torch::Tensor LogSinkhorn(const torch::Tensor& cost, double epsilon, int iterations) {
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

}  // namespace internal
}  // namespace botm
