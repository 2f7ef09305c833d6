#include "core/model/internal/mit_encoder.h"

#include <cmath>
#include <string>

namespace botm {
namespace internal {
namespace {

namespace F = torch::nn::functional;

// [B, N, C] tokens -> [B, C, H, W] map and back.
torch::Tensor TokensToMap(const torch::Tensor& x, int64_t h, int64_t w) {
  return x.transpose(1, 2).reshape({x.size(0), x.size(2), h, w});
}
torch::Tensor MapToTokens(const torch::Tensor& x) { return x.flatten(2).transpose(1, 2); }

// [B, N, heads*d] -> [B, heads, N, d].
torch::Tensor SplitHeads(const torch::Tensor& x, int heads) {
  return x.reshape({x.size(0), x.size(1), heads, x.size(2) / heads}).transpose(1, 2);
}

}  // namespace

torch::Tensor MultiHeadAttention(const torch::Tensor& q, const torch::Tensor& k,
                                 const torch::Tensor& v, const torch::Tensor& key_bias) {
  const double scale = 1.0 / std::sqrt(static_cast<double>(q.size(-1)));
  torch::Tensor logits = torch::matmul(q, k.transpose(-2, -1)) * scale;
  if (key_bias.defined()) logits = logits + key_bias;
  torch::Tensor out = torch::matmul(torch::softmax(logits, -1), v);  // [B, h, N, d]
  return out.transpose(1, 2).flatten(2);
}

EfficientAttentionImpl::EfficientAttentionImpl(int dim, int heads, int reduction)
    : heads_(heads), reduction_(reduction) {
  q_ = register_module("q", torch::nn::Linear(dim, dim));
  kv_ = register_module("kv", torch::nn::Linear(dim, 2 * dim));
  proj_ = register_module("proj", torch::nn::Linear(dim, dim));
  if (reduction > 1) {
    sr_ = register_module(
        "sr", torch::nn::Conv2d(torch::nn::Conv2dOptions(dim, dim, reduction).stride(reduction)));
    sr_norm_ = register_module("sr_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})));
  }
}

torch::Tensor EfficientAttentionImpl::forward(const torch::Tensor& x, int64_t h, int64_t w) {
  torch::Tensor q = SplitHeads(q_(x), heads_);
  torch::Tensor kv_in = x;
  if (reduction_ > 1) kv_in = sr_norm_(MapToTokens(sr_(TokensToMap(x, h, w))));
  std::vector<torch::Tensor> kv = kv_(kv_in).chunk(2, -1);
  torch::Tensor out =
      MultiHeadAttention(q, SplitHeads(kv[0], heads_), SplitHeads(kv[1], heads_), {});
  return proj_(out);
}

MixFfnImpl::MixFfnImpl(int dim) {
  const int hidden = 4 * dim;
  fc1_ = register_module("fc1", torch::nn::Linear(dim, hidden));
  dwconv_ = register_module(
      "dwconv",
      torch::nn::Conv2d(torch::nn::Conv2dOptions(hidden, hidden, 3).padding(1).groups(hidden)));
  fc2_ = register_module("fc2", torch::nn::Linear(hidden, dim));
}

torch::Tensor MixFfnImpl::forward(const torch::Tensor& x, int64_t h, int64_t w) {
  torch::Tensor y = fc1_(x);
  y = MapToTokens(dwconv_(TokensToMap(y, h, w)));
  return fc2_(torch::gelu(y));
}

MitBlockImpl::MitBlockImpl(int dim, int heads, int reduction) {
  norm1_ = register_module("norm1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})));
  attn_ = register_module("attn", EfficientAttention(dim, heads, reduction));
  norm2_ = register_module("norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})));
  ffn_ = register_module("ffn", MixFfn(dim));
}

torch::Tensor MitBlockImpl::forward(const torch::Tensor& x, int64_t h, int64_t w) {
  torch::Tensor y = x + attn_(norm1_(x), h, w);
  return y + ffn_(norm2_(y), h, w);
}

MitStageImpl::MitStageImpl(int in_channels, int dim, int depth, int heads, int reduction,
                           bool first) {
  // Overlapping patch embedding: 7x7 stride 4 in the first stage, 3x3 stride 2 after.
  const int kernel = first ? 7 : 3, stride = first ? 4 : 2;
  patch_ = register_module(
      "patch",
      torch::nn::Conv2d(
          torch::nn::Conv2dOptions(in_channels, dim, kernel).stride(stride).padding(kernel / 2)));
  patch_norm_ =
      register_module("patch_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})));
  for (int i = 0; i < depth; ++i) blocks_->push_back(MitBlock(dim, heads, reduction));
  register_module("blocks", blocks_);
  norm_ = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})));
}

torch::Tensor MitStageImpl::forward(const torch::Tensor& x) {
  torch::Tensor map = patch_(x);
  const int64_t h = map.size(2), w = map.size(3);
  torch::Tensor tokens = patch_norm_(MapToTokens(map));
  for (const auto& block : *blocks_) tokens = block->as<MitBlock>()->forward(tokens, h, w);
  return TokensToMap(norm_(tokens), h, w);
}

MitEncoderImpl::MitEncoderImpl(const EncoderVariant& v, int in_channels) {
  int in = in_channels;
  for (int s = 0; s < 4; ++s) {
    stages_.push_back(register_module(
        "stage" + std::to_string(s + 1),
        MitStage(in, v.channels[s], v.depths[s], v.heads[s], v.reductions[s], s == 0)));
    in = v.channels[s];
  }
}

std::vector<torch::Tensor> MitEncoderImpl::forward(const torch::Tensor& x) {
  std::vector<torch::Tensor> maps;
  torch::Tensor cur = x;
  for (auto& stage : stages_) {
    cur = stage(cur);
    maps.push_back(cur);
  }
  return maps;
}

void InitWeights(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  for (auto& m : module.modules(/*include_self=*/false)) {
    if (auto* lin = m->as<torch::nn::Linear>()) {
      lin->weight.normal_(0.0, 0.02).clamp_(-0.04, 0.04);
      if (lin->bias.defined()) lin->bias.zero_();
    } else if (auto* conv = m->as<torch::nn::Conv2d>()) {
      const auto& o = conv->options;
      const int64_t fan_out =
          (*o.kernel_size())[0] * (*o.kernel_size())[1] * o.out_channels() / o.groups();
      conv->weight.normal_(0.0, std::sqrt(2.0 / static_cast<double>(fan_out)));
      if (conv->bias.defined()) conv->bias.zero_();
    } else if (auto* ln = m->as<torch::nn::LayerNorm>()) {
      ln->weight.fill_(1.0);
      ln->bias.zero_();
    }
  }
}

}  // namespace internal
}  // namespace botm
