#include "core/model/internal/segformer_head.h"

#include <string>

namespace botm {
namespace internal {

namespace F = torch::nn::functional;

SegFormerHeadImpl::SegFormerHeadImpl(const std::array<int, 4>& channels, int dim, int num_classes) {
  for (int s = 0; s < 4; ++s) {
    proj_.push_back(
        register_module("proj" + std::to_string(s + 1),
                        torch::nn::Conv2d(torch::nn::Conv2dOptions(channels[s], dim, 1))));
  }
  fuse_ = register_module("fuse",
                          torch::nn::Conv2d(torch::nn::Conv2dOptions(4 * dim, dim, 1).bias(false)));
  bn_ = register_module("bn", torch::nn::BatchNorm2d(dim));
  classifier_ = register_module("classifier",
                                torch::nn::Conv2d(torch::nn::Conv2dOptions(dim, num_classes, 1)));
}

torch::Tensor SegFormerHeadImpl::forward(const std::vector<torch::Tensor>& maps, int64_t out_size) {
  const std::vector<int64_t> size4 = {maps[0].size(2), maps[0].size(3)};
  std::vector<torch::Tensor> up;
  for (size_t s = 0; s < 4; ++s) {
    torch::Tensor p = proj_[s](maps[s]);
    if (s > 0) {
      p = F::interpolate(
          p, F::InterpolateFuncOptions().size(size4).mode(torch::kBilinear).align_corners(false));
    }
    up.push_back(p);
  }
  torch::Tensor x = torch::relu(bn_(fuse_(torch::cat(up, 1))));
  x = classifier_(x);
  return F::interpolate(x, F::InterpolateFuncOptions()
                               .size(std::vector<int64_t>{out_size, out_size})
                               .mode(torch::kBilinear)
                               .align_corners(false));
}

}  // namespace internal
}  // namespace botm
