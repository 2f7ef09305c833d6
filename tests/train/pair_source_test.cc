#include "core/train/pair_source.h"

#include <gtest/gtest.h>

#include "core/model/internal/preprocess.h"
#include "core/synth/echo_generator.h"
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

// Wide partners (as served: 250 ms back is 6-15 frames) come from the same draw, spread over the
// whole range.
TEST(ChoosePairTest, WideOffsetsCoverTheRange) {
  PairSourceOptions o;
  o.ed_es_probability = 0;
  o.max_offset = 16;
  Rng rng(3);
  int far = 0, max_seen = 0;
  for (int i = 0; i < 2000; ++i) {
    const auto [a, b] = ChoosePair(80, -1, -1, {}, o, rng);
    ASSERT_GE(b, 0);
    ASSERT_LT(b, 80);
    ASSERT_LE(std::abs(a - b), 16);
    max_seen = std::max(max_seen, std::abs(a - b));
    far += std::abs(a - b) >= 6;
  }
  EXPECT_EQ(max_seen, 16);
  EXPECT_GT(far, 2000 / 2);  // 22 of the 33 offsets are 6 or more frames away
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

// The sampler revision reaches the generator: the same sample seed gives the same clip drawn
// under revision 2, and the description names it.
TEST(SyntheticPairSourceTest, AnatomyRevisionReachesTheGenerator) {
  PairSourceOptions o1, o2;
  o1.size_px = o2.size_px = 64;
  o1.difficulty_weights = o2.difficulty_weights = {0, 0, 0, 0, 0, 0, 1};  // randomised only
  o2.anatomy_revision = 2;
  auto s1 = MakeSyntheticPairSource(o1), s2 = MakeSyntheticPairSource(o2);
  EXPECT_EQ(s1->Describe().find("anatomy revision"), std::string::npos);
  EXPECT_NE(s2->Describe().find("anatomy revision 2"), std::string::npos);
  int same = 0, differ = 0;
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    auto p1 = s1->Sample(seed), p2 = s2->Sample(seed);
    ASSERT_TRUE(p1.ok() && p2.ok());
    ASSERT_EQ(p1->labels_a.size(), p2->labels_a.size());  // the same draws: the same render size
    (cv::countNonZero(p1->labels_a != p2->labels_a) == 0 ? same : differ)++;
  }
  EXPECT_GT(same, 0);    // most hearts are revision-independent
  EXPECT_GT(differ, 0);  // the thick-walled ones are re-drawn
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

// Training feeds the model exactly what botm::Segmenter feeds it at inference: the same crop,
// resize and rank normalisation of the same 8-bit frame, bit for bit.
TEST(PreparePairTest, MatchesTheSegmentersInputPolicy) {
  synth::ClipOptions co;
  co.seed = 4;
  co.difficulty = synth::Difficulty::kPaddedSector;
  co.width = co.height = 200;
  auto gen = synth::EchoGenerator::Create(co);
  ASSERT_TRUE(gen.ok());
  const synth::Frame a = (*gen)->Render(0), b = (*gen)->Render(1);
  PairSourceOptions o;
  o.size_px = 64;
  o.crop_sector = true;
  o.rank_norm = true;
  FramePair pair;
  a.image.convertTo(pair.image_a, CV_32FC1, 1.0 / 255.0);
  b.image.convertTo(pair.image_b, CV_32FC1, 1.0 / 255.0);
  pair.labels_a = a.labels.clone();
  pair.labels_b = b.labels.clone();
  PreparePair(o, &pair);
  internal::InputPolicy policy;
  policy.size = 64;
  policy.crop_sector = policy.rank_norm = true;
  auto served = internal::PrepareFrame(a.image, policy);
  ASSERT_TRUE(served.ok());
  EXPECT_EQ(cv::norm(served->input, pair.image_a, cv::NORM_INF), 0.0);
  ASSERT_EQ(pair.labels_a.size(), cv::Size(64, 64));
  // The labels follow the crop: the cavity fills far more of the input than of the frame.
  const double frame_share = cv::countNonZero(a.labels == 1) / (200.0 * 200.0);
  const double input_share = cv::countNonZero(pair.labels_a == 1) / (64.0 * 64.0);
  EXPECT_GT(input_share, 2.5 * frame_share);
}

// Larger renders are brought back to the model size by the policy; the stream is deterministic.
TEST(PreparePairTest, RenderScaleKeepsBatchShapeAndDeterminism) {
  PairSourceOptions o;
  o.size_px = 64;
  o.max_render_scale = 2.0;
  o.crop_sector = o.rank_norm = true;
  o.difficulty_weights = {0, 0, 0, 0, 0, 0, 1};  // randomised bin only
  auto source = MakeSyntheticPairSource(o);
  auto x = MakeBatch(*source, AugmentOptions(), 3, 0, 3),
       y = MakeBatch(*source, AugmentOptions(), 3, 0, 3);
  ASSERT_TRUE(x.ok() && y.ok());
  EXPECT_EQ(x->size_px, 64);
  EXPECT_EQ(x->images_a.size(), 3u * 64 * 64);
  EXPECT_EQ(x->images_a, y->images_a);
  EXPECT_EQ(x->labels_b, y->labels_b);
  auto p = source->Sample(77);
  ASSERT_TRUE(p.ok());
  EXPECT_GE(p->image_a.cols, 64);
  EXPECT_LE(p->image_a.cols, 128);
}

// Below scale 1 the generator renders smaller frames (as a 112x112 video export) that the
// input policy brings up to the model input; the batch keeps its shape.
TEST(PreparePairTest, LowResolutionRenderScaleUpsamplesToTheInput) {
  PairSourceOptions o;
  o.size_px = 128;
  o.min_render_scale = 0.5;
  o.max_render_scale = 1.0;
  o.crop_sector = o.rank_norm = true;
  o.difficulty_weights = {0, 0, 0, 0, 0, 0, 1};
  auto source = MakeSyntheticPairSource(o);
  int below = 0;
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    auto p = source->Sample(seed);
    ASSERT_TRUE(p.ok()) << p.status();
    EXPECT_GE(p->image_a.cols, 64);
    EXPECT_LE(p->image_a.cols, 128);
    EXPECT_EQ(p->image_a.cols % 2, 0);
    below += p->image_a.cols < 100 ? 1 : 0;
  }
  EXPECT_GT(below, 0);
  EXPECT_NE(source->Describe().find("rendered at 0.5x to 1x"), std::string::npos);
  auto batch = MakeBatch(*source, AugmentOptions(), 5, 0, 2);
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_EQ(batch->size_px, 128);
  EXPECT_EQ(batch->labels_a.size(), 2u * 128 * 128);
}

}  // namespace
}  // namespace botm::train
