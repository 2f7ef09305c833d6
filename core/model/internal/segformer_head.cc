#include "core/model/internal/segformer_head.h"

#include <string>

namespace botm {
namespace internal {

namespace F = torch::nn::functional;

namespace {
constexpr int kFineDim = 32;  // width of the stride-2 path
}  // namespace

SegFormerHeadImpl::SegFormerHeadImpl(const std::array<int, 4>& channels, int dim, int num_classes,
                                     int stem_channels) {
  for (int s = 0; s < 4; ++s) {
    proj_.push_back(
        register_module("proj" + std::to_string(s + 1),
                        torch::nn::Conv2d(torch::nn::Conv2dOptions(channels[s], dim, 1))));
  }
  fuse_ = register_module("fuse",
                          torch::nn::Conv2d(torch::nn::Conv2dOptions(4 * dim, dim, 1).bias(false)));
  bn_ = register_module("bn", torch::nn::BatchNorm2d(dim));
  if (stem_channels <= 0) {
    classifier_ = register_module("classifier",
                                  torch::nn::Conv2d(torch::nn::Conv2dOptions(dim, num_classes, 1)));
    return;
  }
  reduce_ = register_module(
      "reduce", torch::nn::Conv2d(torch::nn::Conv2dOptions(dim, kFineDim, 1).bias(false)));
  refine_ = register_module(
      "refine",
      torch::nn::Conv2d(
          torch::nn::Conv2dOptions(kFineDim + stem_channels, kFineDim, 3).padding(1).bias(false)));
  refine_bn_ = register_module("refine_bn", torch::nn::BatchNorm2d(kFineDim));
  classifier_ = register_module(
      "classifier", torch::nn::Conv2d(torch::nn::Conv2dOptions(kFineDim, num_classes, 1)));
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
  if (!refine_.is_empty()) {
    const torch::Tensor& stem = maps.at(4);
    x = F::interpolate(reduce_(x), F::InterpolateFuncOptions()
                                       .size(std::vector<int64_t>{stem.size(2), stem.size(3)})
                                       .mode(torch::kBilinear)
                                       .align_corners(false));
    x = torch::relu(refine_bn_(refine_(torch::cat({x, stem}, 1))));
  }
  x = classifier_(x);
  return F::interpolate(x, F::InterpolateFuncOptions()
                               .size(std::vector<int64_t>{out_size, out_size})
                               .mode(torch::kBilinear)
                               .align_corners(false));
}

}  // namespace internal
}  // namespace botm
