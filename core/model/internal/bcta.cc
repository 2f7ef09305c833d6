#include "core/model/internal/bcta.h"

#include <algorithm>

#include "core/model/internal/mit_encoder.h"
#include "core/model/internal/sinkhorn.h"

namespace botm {
namespace internal {
namespace {

torch::Tensor SplitHeads(const torch::Tensor& x, int heads) {
  return x.reshape({x.size(0), x.size(1), heads, x.size(2) / heads}).transpose(1, 2);
}
torch::Tensor MapToTokens(const torch::Tensor& x) { return x.flatten(2).transpose(1, 2); }
torch::Tensor TokensLike(const torch::Tensor& tokens, const torch::Tensor& map) {
  return tokens.transpose(1, 2).reshape(map.sizes());
}

}  // namespace

ImportanceMaskImpl::ImportanceMaskImpl(int dim) {
  const int half = std::max(dim / 2, 8);
  const int hidden = std::max(dim / 4, 8);
  local_ = register_module("local_mlp", torch::nn::Linear(dim, half));
  global_ = register_module("global_mlp", torch::nn::Linear(dim, half));
  hidden_ = register_module("hidden", torch::nn::Linear(2 * half, hidden));
  out_ = register_module("out", torch::nn::Linear(hidden, 2));
}

torch::Tensor ImportanceMaskImpl::forward(const torch::Tensor& x) {
  const torch::Tensor local = torch::gelu(local_(x));
  const torch::Tensor global = torch::gelu(global_(x)).mean(1, /*keepdim=*/true);
  const torch::Tensor joint = torch::cat({local, global.expand_as(local)}, -1);
  const torch::Tensor logits = out_(torch::gelu(hidden_(joint))).to(torch::kFloat32);
  return torch::log_softmax(logits, -1).select(-1, 1);  // log P(keep)
}

CrossTransportAttentionImpl::CrossTransportAttentionImpl(int dim, int heads, bool importance_mask)
    : heads_(heads) {
  q_ = register_module("q", torch::nn::Linear(dim, dim));
  k_ = register_module("k", torch::nn::Linear(dim, dim));
  v_ = register_module("v", torch::nn::Linear(dim, dim));
  proj_ = register_module("proj", torch::nn::Linear(dim, dim));
  norm_ = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})));
  if (importance_mask) mask_ = register_module("importance", ImportanceMask(dim));
}

torch::Tensor CrossTransportAttentionImpl::forward(const torch::Tensor& queries,
                                                   const torch::Tensor& transported) {
  torch::Tensor key_bias;
  if (!mask_.is_empty()) {
    key_bias = mask_(transported).to(queries.scalar_type()).unsqueeze(1).unsqueeze(1);
  }
  const torch::Tensor attended =
      MultiHeadAttention(SplitHeads(q_(queries), heads_), SplitHeads(k_(transported), heads_),
                         SplitHeads(v_(transported), heads_), key_bias);
  return norm_(queries + proj_(attended));
}

TokenMatcherImpl::TokenMatcherImpl(int dim, int heads, const ModelConfig& config)
    : epsilon_(config.ot_epsilon),
      iterations_(config.sinkhorn_iterations),
      max_tokens_(config.max_ot_tokens) {
  attention_ = register_module("bcta", CrossTransportAttention(dim, heads, config.importance_mask));
}

torch::Tensor TokenMatcherImpl::Fuse(const torch::Tensor& self, const torch::Tensor& partner,
                                     torch::Tensor* partner_fused, torch::Tensor* plan_out) {
  const torch::Tensor pa = PooledTokens(self, max_tokens_);
  const torch::Tensor pb = PooledTokens(partner, max_tokens_);
  const torch::Tensor log_plan = LogSinkhorn(CosineCost(pa, pb), epsilon_, iterations_);
  const torch::Tensor xf = ForwardProjection(log_plan, pb);
  const torch::Tensor fused = attention_(MapToTokens(self), xf);
  if (partner_fused != nullptr) {
    const torch::Tensor xb = BackwardProjection(log_plan, pa);
    *partner_fused = TokensLike(attention_(MapToTokens(partner), xb), partner);
  }
  if (plan_out != nullptr) *plan_out = log_plan.exp();
  return TokensLike(fused, self);
}

}  // namespace internal
}  // namespace botm
