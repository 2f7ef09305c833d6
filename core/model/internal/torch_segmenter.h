// The LibTorch implementation of Segmenter: a BOTM checkpoint (NAME.pt + NAME.json) or a
// TorchScript module (NAME.ts, contract in docs/MODEL_FORMAT.md) on CPU or CUDA.
// Thread-safety: Encode/Decode may run concurrently (read-only model, eval mode, InferenceMode).
#ifndef BOTM_CORE_MODEL_INTERNAL_TORCH_SEGMENTER_H_
#define BOTM_CORE_MODEL_INTERNAL_TORCH_SEGMENTER_H_

#include <memory>
#include <optional>
#include <vector>

#include <torch/script.h>
#include <torch/torch.h>

#include "core/model/internal/botm_model.h"
#include "core/model/internal/preprocess.h"
#include "core/model/segmenter.h"

namespace botm {
namespace internal {

// Features of one frame: the four stage maps [1, C, H, W] (checkpoint), or the normalised input
// [1, 1, S, S] (TorchScript, whose contract has no separate encoder), plus the frame's size and
// the region of it the model input covers (the input policy's crop).
class TorchEncodedFrame : public EncodedFrame {
 public:
  TorchEncodedFrame(std::vector<torch::Tensor> tensors, cv::Size size, cv::Rect crop)
      : tensors_(std::move(tensors)), size_(size), crop_(crop) {}
  cv::Size original_size() const override { return size_; }
  const std::vector<torch::Tensor>& tensors() const { return tensors_; }
  cv::Rect crop() const { return crop_; }

 private:
  std::vector<torch::Tensor> tensors_;
  cv::Size size_;
  cv::Rect crop_;
};

class TorchSegmenter : public Segmenter {
 public:
  static absl::StatusOr<std::unique_ptr<Segmenter>> Load(const SegmenterOptions& options);

  const ModelInfo& info() const override { return info_; }
  absl::StatusOr<std::vector<EncodedFramePtr>> Encode(absl::Span<const cv::Mat> images) override;
  absl::StatusOr<std::vector<FrameOutput>> Decode(
      absl::Span<const DecodeRequest> requests) override;

 private:
  TorchSegmenter(SegmenterOptions options, torch::Device device)
      : options_(std::move(options)), device_(device) {}
  absl::Status LoadCheckpointModel(const std::string& path);
  absl::Status LoadTorchScript(const std::string& path);
  // Runs the model on batched inputs; returns logits [N, C, S, S] and optionally the plan.
  torch::Tensor RunDecode(const std::vector<const TorchEncodedFrame*>& self,
                          const std::vector<const TorchEncodedFrame*>& partner,
                          torch::Tensor* plan);
  // Logits [1, C, S, S] -> labels at the frame's size: resized onto the crop, background outside.
  FrameOutput Postprocess(const torch::Tensor& logits, cv::Size size, cv::Rect crop) const;

  SegmenterOptions options_;
  torch::Device device_;
  ModelInfo info_;
  InputPolicy policy_;              // from the model card (TorchScript: the legacy policy)
  std::optional<BotmModel> model_;  // checkpoint route
  std::optional<torch::jit::Module> script_;  // TorchScript route
};

}  // namespace internal
}  // namespace botm

#endif  // BOTM_CORE_MODEL_INTERNAL_TORCH_SEGMENTER_H_
