// The BOTM network (MODEL.md, "Network"): shared MiT encoder, optimal token matching + BCTA on
// the configured stages, SegFormer all-MLP decoder. With config.cross_frame = false the
// matchers are not built and the partner is ignored (single-frame ablation); the encoder and
// decoder are then identical in names and shapes.
//
// Input normalisation (Normalize): gray values in [0, 1] -> (x - 0.5) / 0.25.
// Deterministic: no dropout/drop-path and no random tensors; weights are initialised from the
// global torch generator, so seed it (torch::manual_seed) before constructing.
// Thread-safety: forward passes in eval mode under NoGradGuard/InferenceMode may run
// concurrently; training is single-threaded.
#ifndef BOTM_CORE_MODEL_INTERNAL_BOTM_MODEL_H_
#define BOTM_CORE_MODEL_INTERNAL_BOTM_MODEL_H_

#include <vector>

#include <torch/torch.h>

#include "core/model/internal/bcta.h"
#include "core/model/internal/mit_encoder.h"
#include "core/model/internal/segformer_head.h"
#include "core/model/model_config.h"

namespace botm {

constexpr double kInputMean = 0.5;
constexpr double kInputStd = 0.25;

struct BotmOutput {
  torch::Tensor logits_a;  // [B, C, S, S]
  torch::Tensor logits_b;  // [B, C, S, S]
  torch::Tensor plan_ab;   // plan of the last matched stage, [B, N, M]; undefined without OT
};

class BotmModelImpl : public torch::nn::Module {
 public:
  // The config must pass ValidateModelConfig (throws c10::Error otherwise).
  explicit BotmModelImpl(const ModelConfig& config);

  const ModelConfig& config() const { return config_; }

  // x: [B, 1, S, S] normalised -> the four encoder stage maps of each frame (strides 4..32),
  // then, with decoder_stride 2, the stride-2 stem map.
  std::vector<torch::Tensor> Encode(const torch::Tensor& x);

  // Logits [B, C, S, S] for `self`, fused with `partner` (same batch size; ignored when
  // cross-frame is off). plan_out: transport plan of the last matched stage.
  torch::Tensor DecodeWithPartner(const std::vector<torch::Tensor>& self,
                                  const std::vector<torch::Tensor>& partner,
                                  torch::Tensor* plan_out = nullptr);

  // The two halves of DecodeWithPartner (exposed for benchmarks): the cross-frame block on the
  // matched stages (other stages pass through), and the decoder.
  std::vector<torch::Tensor> FuseStages(const std::vector<torch::Tensor>& self,
                                        const std::vector<torch::Tensor>& partner,
                                        torch::Tensor* plan_out = nullptr);
  torch::Tensor Head(const std::vector<torch::Tensor>& fused);

  // Training pass on pairs: one encoder pass over [a; b], one plan per matched stage serving
  // both directions (BCTA), one decoder pass over both frames.
  BotmOutput forward(const torch::Tensor& a, const torch::Tensor& b);

  // gray01 [B, 1, H, W] in [0, 1] -> (gray01 - kInputMean) / kInputStd.
  static torch::Tensor Normalize(const torch::Tensor& gray01);

 private:
  int LastOtStage() const;

  ModelConfig config_;
  int64_t output_size_;
  internal::MitEncoder encoder_{nullptr};
  internal::SegFormerHead decoder_{nullptr};
  torch::nn::Sequential stem_{nullptr};           // decoder_stride 2 only
  std::vector<internal::TokenMatcher> matchers_;  // index = stage; null where not matched
};
TORCH_MODULE(BotmModel);

// Number of trainable parameters.
int64_t CountParameters(BotmModel& model);

}  // namespace botm

#endif  // BOTM_CORE_MODEL_INTERNAL_BOTM_MODEL_H_
