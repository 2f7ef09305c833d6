// Optimal token matching + bi-directional cross-transport attention (BCTA) of BOTM (Liu et al.,
// BMVC 2025, arXiv 2505.18052, sections 3.2-3.3), one TokenMatcher per matched encoder stage.
//
// Choices where the paper is silent (also in docs/MODEL_FORMAT.md):
// - Stages with more than max_ot_tokens tokens are adaptive-average-pooled to a coarser grid
//   before the cost and Sinkhorn. The queries of the attention stay at the full grid, and the
//   keys/values are the pooled transported tokens, so fused features come back to every
//   full-resolution token by attention itself (no upsampling); with no pooling this is exactly
//   the paper's token-to-token form.
// - Anatomical importance z (keep-probability per key token) is computed from the transported
//   tokens that serve as keys, and enters as a deterministic, differentiable mask by adding
//   log z_j to the attention logits: P_ij = z_j exp(l_ij) / sum_k z_k exp(l_ik). No sampling.
// - One plan T per pair gives both directions: frame a attends to Xf = diag(T1)^-1 T X_b, frame
//   b to Xb = diag(T^T 1)^-1 T^T X_a; both directions share the attention weights.
#ifndef BOTM_CORE_MODEL_INTERNAL_BCTA_H_
#define BOTM_CORE_MODEL_INTERNAL_BCTA_H_

#include <torch/torch.h>

#include "core/model/model_config.h"

namespace botm {
namespace internal {

// z = softmax_{drop,keep}(MLP([MLP_local(x) ; mean_tokens(MLP_global(x))])); returns log z_keep.
class ImportanceMaskImpl : public torch::nn::Module {
 public:
  explicit ImportanceMaskImpl(int dim);
  // x: [B, N, D] -> log keep-probability [B, N].
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::Linear local_{nullptr}, global_{nullptr}, hidden_{nullptr}, out_{nullptr};
};
TORCH_MODULE(ImportanceMask);

// Cross-transport attention: LN(x + Proj(Attn(Q(x), K(t), V(t), key bias log z(t)))).
class CrossTransportAttentionImpl : public torch::nn::Module {
 public:
  CrossTransportAttentionImpl(int dim, int heads, bool importance_mask);
  // queries [B, N, D] (the frame's own tokens), transported [B, N', D] -> fused [B, N, D].
  torch::Tensor forward(const torch::Tensor& queries, const torch::Tensor& transported);

 private:
  int heads_;
  torch::nn::Linear q_{nullptr}, k_{nullptr}, v_{nullptr}, proj_{nullptr};
  torch::nn::LayerNorm norm_{nullptr};
  ImportanceMask mask_{nullptr};
};
TORCH_MODULE(CrossTransportAttention);

class TokenMatcherImpl : public torch::nn::Module {
 public:
  TokenMatcherImpl(int dim, int heads, const ModelConfig& config);
  // Fuses the stage map of `self` [B, C, H, W] with its partner's [B, C, H', W'].
  // partner_fused (optional) receives the partner's fused map from the same plan (training);
  // plan_out (optional) receives the plan [B, N', M'] (pooled tokens, row-major grids).
  torch::Tensor Fuse(const torch::Tensor& self, const torch::Tensor& partner,
                     torch::Tensor* partner_fused, torch::Tensor* plan_out);

 private:
  double epsilon_;
  int iterations_;
  int max_tokens_;
  CrossTransportAttention attention_{nullptr};
};
TORCH_MODULE(TokenMatcher);

}  // namespace internal
}  // namespace botm

#endif  // BOTM_CORE_MODEL_INTERNAL_BCTA_H_
