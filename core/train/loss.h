// Segmentation loss of the training recipe (MODEL.md): 0.5 cross-entropy + 0.5 soft Dice over
// the foreground classes, computed per frame and averaged over the two frames of a pair.
//
// Soft Dice (Milletari et al., "V-Net", 3DV 2016), per class c over the whole batch:
//   D_c = (2 sum(p_c g_c) + s) / (sum(p_c) + sum(g_c) + s),  loss = 1 - mean_c D_c
// with p = softmax(logits), g = one-hot target, s = smooth (a class absent from both
// prediction and target then scores ~1 instead of 0/0). With per_image_dice the sums run over
// each image alone and D is averaged over images and classes: a small structure (the systolic
// cavity of a thick-walled heart) then weighs as much as a large one, where the batch sum lets
// the large cavities of the batch dominate (the per-sample vs batch Dice choice of nnU-Net,
// Isensee et al., Nature Methods 2021).
// Internal to the training library: includes LibTorch.
#ifndef BOTM_CORE_TRAIN_LOSS_H_
#define BOTM_CORE_TRAIN_LOSS_H_

#include <torch/torch.h>

namespace botm::train {

struct LossOptions {
  double ce_weight = 0.5;
  double dice_weight = 0.5;
  double dice_smooth = 1.0;     // s in the formula above
  int first_dice_class = 1;     // foreground classes first_dice_class..C-1
  bool per_image_dice = false;  // Dice per image, then averaged (see above); false: batch sums
};

struct LossParts {
  double ce = 0, dice = 0, total = 0;  // detached values for logging
};

// Mean pixel-wise cross-entropy. logits [B, C, H, W] float, target [B, H, W] int64.
torch::Tensor CrossEntropy(const torch::Tensor& logits, const torch::Tensor& target);

// 1 - mean foreground soft Dice (formula above).
torch::Tensor SoftDiceLoss(const torch::Tensor& logits, const torch::Tensor& target,
                           const LossOptions& o);

// ce_weight * CE + dice_weight * Dice for one frame; `parts` (may be null) gets the values.
torch::Tensor FrameLoss(const torch::Tensor& logits, const torch::Tensor& target,
                        const LossOptions& o, LossParts* parts = nullptr);

// Mean of FrameLoss over the two frames of a pair; `parts` gets the averaged values.
torch::Tensor PairLoss(const torch::Tensor& logits_a, const torch::Tensor& target_a,
                       const torch::Tensor& logits_b, const torch::Tensor& target_b,
                       const LossOptions& o, LossParts* parts = nullptr);

// Per-class hard Dice of argmax(logits) against target, summed over the batch: returns
// {intersection, predicted, truth} counts as doubles per class, for validation.
struct DiceCounts {
  std::vector<double> intersection, predicted, truth;
};
void AccumulateDiceCounts(const torch::Tensor& logits, const torch::Tensor& target,
                          DiceCounts* counts);

}  // namespace botm::train

#endif  // BOTM_CORE_TRAIN_LOSS_H_
