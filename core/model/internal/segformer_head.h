// SegFormer all-MLP decoder (Xie et al., NeurIPS 2021): each stage projected to a common width,
// upsampled to stride 4, concatenated, fused by 1x1 conv + BatchNorm + ReLU, classified by a
// 1x1 conv and bilinearly upsampled to the input size.
// With a stride-2 path (stem_channels > 0; ModelConfig::decoder_stride = 2) the fused stride-4
// features are reduced, upsampled to stride 2, concatenated with a shallow stride-2 stem of the
// image (a fifth map), refined by a 3x3 conv + BatchNorm + ReLU and classified there: thin walls
// get two cells more across (our choice, not in the paper; docs/MODEL_FORMAT.md).
#ifndef BOTM_CORE_MODEL_INTERNAL_SEGFORMER_HEAD_H_
#define BOTM_CORE_MODEL_INTERNAL_SEGFORMER_HEAD_H_

#include <array>
#include <vector>

#include <torch/torch.h>

namespace botm {
namespace internal {

class SegFormerHeadImpl : public torch::nn::Module {
 public:
  SegFormerHeadImpl(const std::array<int, 4>& channels, int dim, int num_classes,
                    int stem_channels = 0);
  // maps: four stage maps (strides 4..32), plus the stride-2 stem map when the head has the
  // stride-2 path; returns logits [B, classes, out_size, out_size].
  torch::Tensor forward(const std::vector<torch::Tensor>& maps, int64_t out_size);

 private:
  std::vector<torch::nn::Conv2d> proj_;
  torch::nn::Conv2d fuse_{nullptr}, classifier_{nullptr};
  torch::nn::BatchNorm2d bn_{nullptr};
  // Stride-2 path (null without it).
  torch::nn::Conv2d reduce_{nullptr}, refine_{nullptr};
  torch::nn::BatchNorm2d refine_bn_{nullptr};
};
TORCH_MODULE(SegFormerHead);

}  // namespace internal
}  // namespace botm

#endif  // BOTM_CORE_MODEL_INTERNAL_SEGFORMER_HEAD_H_
