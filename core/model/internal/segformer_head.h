// SegFormer all-MLP decoder (Xie et al., NeurIPS 2021): each stage projected to a common width,
// upsampled to stride 4, concatenated, fused by 1x1 conv + BatchNorm + ReLU, classified by a
// 1x1 conv and bilinearly upsampled to the input size.
#ifndef BOTM_CORE_MODEL_INTERNAL_SEGFORMER_HEAD_H_
#define BOTM_CORE_MODEL_INTERNAL_SEGFORMER_HEAD_H_

#include <array>
#include <vector>

#include <torch/torch.h>

namespace botm {
namespace internal {

class SegFormerHeadImpl : public torch::nn::Module {
 public:
  SegFormerHeadImpl(const std::array<int, 4>& channels, int dim, int num_classes);
  // maps: four stage maps (strides 4..32); returns logits [B, classes, out_size, out_size].
  torch::Tensor forward(const std::vector<torch::Tensor>& maps, int64_t out_size);

 private:
  std::vector<torch::nn::Conv2d> proj_;
  torch::nn::Conv2d fuse_{nullptr}, classifier_{nullptr};
  torch::nn::BatchNorm2d bn_{nullptr};
};
TORCH_MODULE(SegFormerHead);

}  // namespace internal
}  // namespace botm

#endif  // BOTM_CORE_MODEL_INTERNAL_SEGFORMER_HEAD_H_
