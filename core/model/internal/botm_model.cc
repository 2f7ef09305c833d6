#include "core/model/internal/botm_model.h"

#include <string>

namespace botm {
namespace {

constexpr int kStemChannels = 16;  // the stride-2 image stem of decoder_stride 2

EncoderVariant VariantOrThrow(const ModelConfig& config) {
  absl::Status valid = ValidateModelConfig(config);
  TORCH_CHECK(valid.ok(), "invalid BOTM config: ", std::string(valid.message()));
  return *VariantByName(config.variant);
}

}  // namespace

BotmModelImpl::BotmModelImpl(const ModelConfig& config)
    : config_(config), output_size_(config.input_size), matchers_(4, nullptr) {
  const EncoderVariant v = VariantOrThrow(config);
  encoder_ = register_module("encoder", internal::MitEncoder(v, /*in_channels=*/1));
  const int stem_channels = config.decoder_stride == 2 ? kStemChannels : 0;
  decoder_ = register_module("decoder", internal::SegFormerHead(v.channels, config.decoder_dim,
                                                                config.num_classes, stem_channels));
  if (stem_channels > 0) {
    namespace nn = torch::nn;
    stem_ = register_module(
        "stem",
        nn::Sequential(
            nn::Conv2d(nn::Conv2dOptions(1, kStemChannels, 3).stride(2).padding(1).bias(false)),
            nn::BatchNorm2d(kStemChannels), nn::ReLU(),
            nn::Conv2d(nn::Conv2dOptions(kStemChannels, kStemChannels, 3).padding(1).bias(false)),
            nn::BatchNorm2d(kStemChannels), nn::ReLU()));
  }
  if (config.cross_frame) {
    for (int s : config.ot_stages) {
      matchers_[s] = register_module("matcher" + std::to_string(s + 1),
                                     internal::TokenMatcher(v.channels[s], v.heads[s], config));
    }
  }
  internal::InitWeights(*this);
}

int BotmModelImpl::LastOtStage() const {
  int last = -1;
  for (int s = 0; s < 4; ++s) {
    if (!matchers_[s].is_empty()) last = s;
  }
  return last;
}

std::vector<torch::Tensor> BotmModelImpl::Encode(const torch::Tensor& x) {
  std::vector<torch::Tensor> maps = encoder_(x);
  if (!stem_.is_empty()) maps.push_back(stem_->forward(x));
  return maps;
}

std::vector<torch::Tensor> BotmModelImpl::FuseStages(const std::vector<torch::Tensor>& self,
                                                     const std::vector<torch::Tensor>& partner,
                                                     torch::Tensor* plan_out) {
  std::vector<torch::Tensor> fused = self;
  const int last = LastOtStage();
  for (int s = 0; s < 4; ++s) {
    if (matchers_[s].is_empty()) continue;
    fused[s] = matchers_[s]->Fuse(self[s], partner[s], nullptr, s == last ? plan_out : nullptr);
  }
  return fused;
}

torch::Tensor BotmModelImpl::Head(const std::vector<torch::Tensor>& fused) {
  return decoder_(fused, output_size_);
}

torch::Tensor BotmModelImpl::DecodeWithPartner(const std::vector<torch::Tensor>& self,
                                               const std::vector<torch::Tensor>& partner,
                                               torch::Tensor* plan_out) {
  return Head(FuseStages(self, partner, plan_out));
}

BotmOutput BotmModelImpl::forward(const torch::Tensor& a, const torch::Tensor& b) {
  const int64_t n = a.size(0);
  const std::vector<torch::Tensor> maps = Encode(torch::cat({a, b}, 0));
  std::vector<torch::Tensor> fa, fb;
  for (const torch::Tensor& m : maps) {
    fa.push_back(m.narrow(0, 0, n));
    fb.push_back(m.narrow(0, n, n));
  }
  BotmOutput out;
  const int last = LastOtStage();
  for (int s = 0; s < 4; ++s) {
    if (matchers_[s].is_empty()) continue;
    torch::Tensor fused_b;
    fa[s] = matchers_[s]->Fuse(fa[s], fb[s], &fused_b, s == last ? &out.plan_ab : nullptr);
    fb[s] = fused_b;
  }
  std::vector<torch::Tensor> joint;
  for (size_t s = 0; s < fa.size(); ++s) joint.push_back(torch::cat({fa[s], fb[s]}, 0));
  const torch::Tensor logits = decoder_(joint, output_size_);
  out.logits_a = logits.narrow(0, 0, n);
  out.logits_b = logits.narrow(0, n, n);
  return out;
}

torch::Tensor BotmModelImpl::Normalize(const torch::Tensor& gray01) {
  return (gray01 - kInputMean) / kInputStd;
}

int64_t CountParameters(BotmModel& model) {
  int64_t total = 0;
  for (const auto& p : model->parameters()) total += p.numel();
  return total;
}

}  // namespace botm
