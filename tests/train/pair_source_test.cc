#include "core/train/pair_source.h"

#include <gtest/gtest.h>

#include "core/train/prefetcher.h"

namespace botm::train {
namespace {

TEST(ChoosePairTest, OffsetsStayWithinRangeAndClip) {
  PairSourceOptions o;
  o.ed_es_probability = 0;
  Rng rng(1);
  bool saw_negative = false, saw_positive = false;
  for (int i = 0; i < 500; ++i) {
    const auto [a, b] = ChoosePair(20, 3, 10, {}, o, rng);
    ASSERT_GE(a, 0);
    ASSERT_LT(b, 20);
    ASSERT_GE(b, 0);
    ASSERT_LE(std::abs(a - b), 3);
    saw_negative |= b < a;
    saw_positive |= b > a;
  }
  EXPECT_TRUE(saw_negative && saw_positive);
}

TEST(ChoosePairTest, EdEsPairsAndAnnotatedFramesOnly) {
  PairSourceOptions o;
  o.ed_es_probability = 1;
  Rng rng(2);
  const auto [a, b] = ChoosePair(20, 3, 10, {}, o, rng);
  EXPECT_TRUE((a == 3 && b == 10) || (a == 10 && b == 3));
  o.ed_es_probability = 0;
  std::vector<bool> annotated(20, false);
  annotated[5] = true;
  for (int i = 0; i < 20; ++i) {
    const auto p = ChoosePair(20, -1, -1, annotated, o, rng);
    EXPECT_EQ(p.first, 5);
    EXPECT_EQ(p.second, 5);
  }
}

TEST(SyntheticPairSourceTest, DeterministicPairsOfTheRightShape) {
  PairSourceOptions o;
  o.size_px = 64;
  auto source = MakeSyntheticPairSource(o);
  auto p = source->Sample(42);
  auto q = source->Sample(42);
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(p->image_a.size(), cv::Size(64, 64));
  EXPECT_EQ(p->image_a.type(), CV_32FC1);
  EXPECT_EQ(p->labels_b.type(), CV_8UC1);
  EXPECT_EQ(cv::norm(p->image_a, q->image_a, cv::NORM_INF), 0.0);
  EXPECT_EQ(cv::countNonZero(p->labels_b != q->labels_b), 0);
  EXPECT_GT(cv::countNonZero(p->labels_a == 1), 20);  // the LV is in the picture
}

TEST(BatchTest, PrefetcherMatchesDirectBatches) {
  PairSourceOptions o;
  o.size_px = 64;
  auto source = MakeSyntheticPairSource(o);
  BatchPrefetcher::Options po;
  po.source = source.get();
  po.run_seed = 9;
  po.batch_size = 2;
  po.first_step = 5;
  BatchPrefetcher prefetcher(po);
  for (int64_t step = 5; step < 7; ++step) {
    auto fetched = prefetcher.Next();
    auto direct = MakeBatch(*source, po.augment, 9, step, 2);
    ASSERT_TRUE(fetched.ok() && direct.ok());
    EXPECT_EQ(fetched->step, step);
    EXPECT_EQ(fetched->images_a, direct->images_a);
    EXPECT_EQ(fetched->labels_b, direct->labels_b);
  }
}

}  // namespace
}  // namespace botm::train
