#include "core/train/loss.h"

namespace botm::train {

torch::Tensor CrossEntropy(const torch::Tensor& logits, const torch::Tensor& target) {
  return torch::nn::functional::cross_entropy(logits, target);
}

torch::Tensor SoftDiceLoss(const torch::Tensor& logits, const torch::Tensor& target,
                           const LossOptions& o) {
  const int64_t classes = logits.size(1);
  const torch::Tensor p = torch::softmax(logits, 1);
  const torch::Tensor g = torch::one_hot(target, classes).permute({0, 3, 1, 2}).to(p.scalar_type());
  // dice is [C] (batch sums) or [B, C] (per image); the class axis is the last one.
  const std::vector<int64_t> dims =
      o.per_image_dice ? std::vector<int64_t>{2, 3} : std::vector<int64_t>{0, 2, 3};
  const torch::Tensor inter = (p * g).sum(dims);
  const torch::Tensor denom = p.sum(dims) + g.sum(dims);
  const torch::Tensor dice = (2.0 * inter + o.dice_smooth) / (denom + o.dice_smooth);
  return 1.0 - dice.slice(-1, o.first_dice_class, classes).mean();
}

torch::Tensor FrameLoss(const torch::Tensor& logits, const torch::Tensor& target,
                        const LossOptions& o, LossParts* parts) {
  const torch::Tensor ce = CrossEntropy(logits, target);
  const torch::Tensor dice = SoftDiceLoss(logits, target, o);
  const torch::Tensor total = o.ce_weight * ce + o.dice_weight * dice;
  if (parts != nullptr) {
    parts->ce = ce.item<double>();
    parts->dice = dice.item<double>();
    parts->total = total.item<double>();
  }
  return total;
}

torch::Tensor PairLoss(const torch::Tensor& logits_a, const torch::Tensor& target_a,
                       const torch::Tensor& logits_b, const torch::Tensor& target_b,
                       const LossOptions& o, LossParts* parts) {
  LossParts pa, pb;
  const torch::Tensor la = FrameLoss(logits_a, target_a, o, parts ? &pa : nullptr);
  const torch::Tensor lb = FrameLoss(logits_b, target_b, o, parts ? &pb : nullptr);
  if (parts != nullptr) {
    parts->ce = 0.5 * (pa.ce + pb.ce);
    parts->dice = 0.5 * (pa.dice + pb.dice);
    parts->total = 0.5 * (pa.total + pb.total);
  }
  return 0.5 * (la + lb);
}

void AccumulateDiceCounts(const torch::Tensor& logits, const torch::Tensor& target,
                          DiceCounts* counts) {
  const int64_t classes = logits.size(1);
  const torch::Tensor pred = logits.argmax(1);
  counts->intersection.resize(classes, 0.0);
  counts->predicted.resize(classes, 0.0);
  counts->truth.resize(classes, 0.0);
  for (int64_t c = 0; c < classes; ++c) {
    const torch::Tensor pc = pred.eq(c), tc = target.eq(c);
    counts->intersection[c] += pc.logical_and(tc).sum().item<double>();
    counts->predicted[c] += pc.sum().item<double>();
    counts->truth[c] += tc.sum().item<double>();
  }
}

}  // namespace botm::train
