#include "core/train/loss.h"

#include <cmath>

#include <gtest/gtest.h>

namespace botm::train {
namespace {

TEST(LossTest, PerfectPredictionHasSmallLoss) {
  torch::Tensor target = torch::randint(0, 4, {2, 8, 8}, torch::kInt64);
  torch::Tensor logits = 30.0 * torch::one_hot(target, 4).permute({0, 3, 1, 2}).to(torch::kFloat32);
  LossParts parts;
  FrameLoss(logits, target, LossOptions(), &parts);
  EXPECT_LT(parts.total, 1e-3);
  EXPECT_LT(parts.ce, 1e-6);
}

TEST(LossTest, DiceAndCrossEntropyExactOnTinyCase) {
  // Two pixels, two classes; p(class 1) = 0.25 on the background pixel, 0.75 on the
  // foreground pixel. Dice_1 = (2 * 0.75 + 1) / (0.25 + 0.75 + 1 + 1) = 2.5 / 3.
  const double l3 = std::log(3.0);
  torch::Tensor logits = torch::tensor({l3, 0.0, 0.0, l3}, torch::kFloat64).reshape({1, 2, 1, 2});
  torch::Tensor target = torch::tensor({0, 1}, torch::kInt64).reshape({1, 1, 2});
  LossOptions o;
  EXPECT_NEAR(SoftDiceLoss(logits, target, o).item<double>(), 1.0 - 2.5 / 3.0, 1e-12);
  EXPECT_NEAR(CrossEntropy(logits, target).item<double>(), -std::log(0.75), 1e-12);
  LossParts parts;
  FrameLoss(logits, target, o, &parts);
  EXPECT_NEAR(parts.total, 0.5 * (1.0 - 2.5 / 3.0) - 0.5 * std::log(0.75), 1e-12);
}

TEST(LossTest, PairLossAveragesFramesAndHasGradients) {
  torch::Tensor la = torch::zeros({1, 4, 4, 4}, torch::requires_grad());
  torch::Tensor lb = torch::zeros({1, 4, 4, 4}, torch::requires_grad());
  torch::Tensor t = torch::ones({1, 4, 4}, torch::kInt64);
  LossParts parts;
  torch::Tensor loss = PairLoss(la, t, lb, t, LossOptions(), &parts);
  loss.backward();
  EXPECT_NEAR(parts.ce, std::log(4.0), 1e-6);
  EXPECT_GT(la.grad().abs().sum().item<double>(), 0.0);
  EXPECT_GT(lb.grad().abs().sum().item<double>(), 0.0);
}

// Image 0: a large object predicted exactly; image 1: a one-pixel object drawn over four pixels.
// Batch sums let image 0 hide image 1's over-segmentation; per image it costs half the loss.
TEST(LossTest, PerImageDiceWeighsASmallOverdrawnObjectAsMuchAsALargeOne) {
  torch::Tensor target = torch::zeros({2, 8, 8}, torch::kInt64);
  target.index_put_({0, torch::indexing::Slice(0, 6), torch::indexing::Slice(0, 6)}, 1);
  target.index_put_({1, 0, 0}, 1);
  torch::Tensor pred = target.clone();
  pred.index_put_({1, torch::indexing::Slice(0, 2), torch::indexing::Slice(0, 2)}, 1);
  torch::Tensor logits = 40.0 * torch::one_hot(pred, 2).permute({0, 3, 1, 2}).to(torch::kFloat64);
  LossOptions batch;
  batch.dice_smooth = 0;
  LossOptions image = batch;
  image.per_image_dice = true;
  // Batch: 2 * 37 / (40 + 37); per image: mean(1, 2 * 1 / (4 + 1)).
  EXPECT_NEAR(SoftDiceLoss(logits, target, batch).item<double>(), 1.0 - 74.0 / 77.0, 1e-9);
  EXPECT_NEAR(SoftDiceLoss(logits, target, image).item<double>(), 1.0 - 0.5 * (1.0 + 0.4), 1e-9);
  // One image alone: both forms agree.
  torch::Tensor one = logits.slice(0, 1, 2), one_t = target.slice(0, 1, 2);
  EXPECT_NEAR(SoftDiceLoss(one, one_t, batch).item<double>(),
              SoftDiceLoss(one, one_t, image).item<double>(), 1e-12);
}

TEST(LossTest, DiceCountsOfArgmax) {
  torch::Tensor target = torch::tensor({0, 1, 1, 2}, torch::kInt64).reshape({1, 2, 2});
  torch::Tensor logits = torch::zeros({1, 3, 2, 2});
  logits.index_put_({0, 1, 0, 1}, 5.0);
  logits.index_put_({0, 1, 1, 0}, 5.0);
  logits.index_put_({0, 1, 1, 1}, 5.0);  // predicted 1 where truth is 2
  DiceCounts c;
  AccumulateDiceCounts(logits, target, &c);
  EXPECT_EQ(c.intersection[1], 2);
  EXPECT_EQ(c.predicted[1], 3);
  EXPECT_EQ(c.truth[1], 2);
  EXPECT_EQ(c.truth[2], 1);
}

}  // namespace
}  // namespace botm::train
