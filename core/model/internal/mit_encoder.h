// The shared hierarchical encoder of BOTM: a SegFormer Mix Transformer (MiT; Xie et al.,
// "SegFormer", NeurIPS 2021). Four stages, each an overlapping patch embedding (strided conv +
// LayerNorm) followed by blocks of efficient self-attention (keys/values spatially reduced by
// ratio R) and Mix-FFN (1x1 -> depthwise 3x3 -> GELU -> 1x1), then a LayerNorm. Output strides
// 4, 8, 16, 32. The widths, depths, heads and ratios come from an EncoderVariant (data).
// Deterministic: no dropout or drop-path.
#ifndef BOTM_CORE_MODEL_INTERNAL_MIT_ENCODER_H_
#define BOTM_CORE_MODEL_INTERNAL_MIT_ENCODER_H_

#include <vector>

#include <torch/torch.h>

#include "core/model/model_config.h"

namespace botm {
namespace internal {

// Multi-head softmax attention on [B, heads, N, d] queries and [B, heads, M, d] keys/values,
// with an optional additive key bias [B, 1, 1, M] (used for log-importance). Returns [B, N,
// heads*d].
torch::Tensor MultiHeadAttention(const torch::Tensor& q, const torch::Tensor& k,
                                 const torch::Tensor& v, const torch::Tensor& key_bias);

// Efficient self-attention: keys and values from the map reduced by a stride-R conv.
class EfficientAttentionImpl : public torch::nn::Module {
 public:
  EfficientAttentionImpl(int dim, int heads, int reduction);
  // x: [B, H*W, C] tokens of an H x W map.
  torch::Tensor forward(const torch::Tensor& x, int64_t h, int64_t w);

 private:
  int heads_;
  int reduction_;
  torch::nn::Linear q_{nullptr}, kv_{nullptr}, proj_{nullptr};
  torch::nn::Conv2d sr_{nullptr};
  torch::nn::LayerNorm sr_norm_{nullptr};
};
TORCH_MODULE(EfficientAttention);

// Mix-FFN with expansion ratio 4.
class MixFfnImpl : public torch::nn::Module {
 public:
  explicit MixFfnImpl(int dim);
  torch::Tensor forward(const torch::Tensor& x, int64_t h, int64_t w);

 private:
  torch::nn::Linear fc1_{nullptr}, fc2_{nullptr};
  torch::nn::Conv2d dwconv_{nullptr};
};
TORCH_MODULE(MixFfn);

// Pre-norm transformer block: x + Attn(LN(x)), then x + MixFFN(LN(x)).
class MitBlockImpl : public torch::nn::Module {
 public:
  MitBlockImpl(int dim, int heads, int reduction);
  torch::Tensor forward(const torch::Tensor& x, int64_t h, int64_t w);

 private:
  torch::nn::LayerNorm norm1_{nullptr}, norm2_{nullptr};
  EfficientAttention attn_{nullptr};
  MixFfn ffn_{nullptr};
};
TORCH_MODULE(MitBlock);

// One stage: patch embedding, blocks, final LayerNorm; returns a [B, C, H, W] map.
class MitStageImpl : public torch::nn::Module {
 public:
  MitStageImpl(int in_channels, int dim, int depth, int heads, int reduction, bool first);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::Conv2d patch_{nullptr};
  torch::nn::LayerNorm patch_norm_{nullptr};
  torch::nn::ModuleList blocks_;
  torch::nn::LayerNorm norm_{nullptr};
};
TORCH_MODULE(MitStage);

class MitEncoderImpl : public torch::nn::Module {
 public:
  MitEncoderImpl(const EncoderVariant& variant, int in_channels);
  // x: [B, in_channels, S, S]; returns the four stage maps (strides 4, 8, 16, 32).
  std::vector<torch::Tensor> forward(const torch::Tensor& x);

 private:
  std::vector<MitStage> stages_;
};
TORCH_MODULE(MitEncoder);

// Initialises the submodules (not `module` itself), SegFormer-style: Linear N(0, 0.02) clipped at 2
// sigma, zero bias; Conv2d N(0, sqrt(2 / fan_out)); norms weight 1, bias 0. Uses the global torch
// generator (seed it).
void InitWeights(torch::nn::Module& module);

}  // namespace internal
}  // namespace botm

#endif  // BOTM_CORE_MODEL_INTERNAL_MIT_ENCODER_H_
