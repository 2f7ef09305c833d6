// Tests of the BOTM network: variants, shapes, determinism, the ablation switch and BCTA.
#include "core/model/internal/botm_model.h"

#include <cstdio>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "core/model/internal/bcta.h"

namespace botm {
namespace {

ModelConfig Config(const std::string& variant, int size, bool cross_frame = true) {
  ModelConfig c;
  c.variant = variant;
  c.input_size = size;
  c.cross_frame = cross_frame;
  return c;
}

std::map<std::string, std::vector<int64_t>> ParamShapes(BotmModel& m, const std::string& prefix) {
  std::map<std::string, std::vector<int64_t>> out;
  for (const auto& p : m->named_parameters()) {
    if (p.key().rfind(prefix, 0) == 0) out[p.key()] = p.value().sizes().vec();
  }
  for (const auto& b : m->named_buffers()) {
    if (b.key().rfind(prefix, 0) == 0) out[b.key()] = b.value().sizes().vec();
  }
  return out;
}

TEST(BotmModelTest, BothVariantsBuildWithParameterCounts) {
  for (const char* variant : {"tiny", "b2"}) {
    torch::manual_seed(0);
    BotmModel model(Config(variant, 128));
    const int64_t n = CountParameters(model);
    std::printf("variant %s: %lld parameters\n", variant, static_cast<long long>(n));
    EXPECT_GT(n, 1000000);
  }
}

TEST(BotmModelTest, ForwardShapesAndPlan) {
  torch::manual_seed(0);
  BotmModel model(Config("tiny", 128));
  model->eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor a = BotmModel::Impl::Normalize(torch::rand({2, 1, 128, 128}));
  const torch::Tensor b = BotmModel::Impl::Normalize(torch::rand({2, 1, 128, 128}));
  const BotmOutput out = model->forward(a, b);
  EXPECT_EQ(out.logits_a.sizes(), torch::IntArrayRef({2, 4, 128, 128}));
  EXPECT_EQ(out.logits_b.sizes(), torch::IntArrayRef({2, 4, 128, 128}));
  // Stage 4 at 128 px: a 4 x 4 grid, 16 tokens per frame.
  EXPECT_EQ(out.plan_ab.sizes(), torch::IntArrayRef({2, 16, 16}));
  const std::vector<torch::Tensor> maps = model->Encode(a);
  ASSERT_EQ(maps.size(), 4u);
  EXPECT_EQ(maps[0].sizes(), torch::IntArrayRef({2, 32, 32, 32}));
  EXPECT_EQ(maps[3].sizes(), torch::IntArrayRef({2, 256, 4, 4}));
  // The training pass and the stream decode agree for frame a (same plan, same attention).
  const torch::Tensor logits = model->DecodeWithPartner(maps, model->Encode(b));
  EXPECT_TRUE(torch::allclose(logits, out.logits_a, 1e-4, 1e-4));
}

TEST(BotmModelTest, BitIdenticalTwice) {
  torch::manual_seed(0);
  BotmModel model(Config("tiny", 128));
  model->eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor a = torch::randn({1, 1, 128, 128});
  const torch::Tensor b = torch::randn({1, 1, 128, 128});
  const BotmOutput first = model->forward(a, b);
  const BotmOutput second = model->forward(a, b);
  EXPECT_TRUE(torch::equal(first.logits_a, second.logits_a));
  EXPECT_TRUE(torch::equal(first.plan_ab, second.plan_ab));
  torch::manual_seed(0);
  BotmModel again(Config("tiny", 128));
  again->eval();
  EXPECT_TRUE(torch::equal(again->forward(a, b).logits_b, first.logits_b));
}

TEST(BotmModelTest, AblationChangesOnlyTheCrossFrameBlock) {
  torch::manual_seed(0);
  BotmModel full(Config("tiny", 128, true));
  torch::manual_seed(0);
  BotmModel single(Config("tiny", 128, false));
  EXPECT_EQ(ParamShapes(full, "encoder."), ParamShapes(single, "encoder."));
  EXPECT_EQ(ParamShapes(full, "decoder."), ParamShapes(single, "decoder."));
  EXPECT_FALSE(ParamShapes(full, "matcher").empty());
  EXPECT_TRUE(ParamShapes(single, "matcher").empty());
  single->eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor a = torch::randn({1, 1, 128, 128});
  // The single-frame model ignores the partner entirely.
  const auto maps = single->Encode(a);
  EXPECT_TRUE(torch::equal(single->DecodeWithPartner(maps, single->Encode(-a)),
                           single->DecodeWithPartner(maps, maps)));
  EXPECT_FALSE(single->forward(a, a).plan_ab.defined());
}

TEST(BotmModelTest, PartnerChangesCrossFrameOutput) {
  torch::manual_seed(0);
  BotmModel model(Config("tiny", 128));
  model->eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor a = torch::randn({1, 1, 128, 128});
  const auto maps = model->Encode(a);
  const torch::Tensor with_self = model->DecodeWithPartner(maps, maps);
  const torch::Tensor with_other =
      model->DecodeWithPartner(maps, model->Encode(torch::randn_like(a)));
  EXPECT_FALSE(torch::allclose(with_self, with_other));
}

TEST(BotmModelTest, BctaShapesWithPooling) {
  ModelConfig c;
  c.max_ot_tokens = 16;  // forces pooling of an 8 x 8 grid to 4 x 4
  torch::manual_seed(0);
  internal::TokenMatcher matcher(64, 2, c);
  const torch::Tensor a = torch::randn({2, 64, 8, 8});
  const torch::Tensor b = torch::randn({2, 64, 6, 10});
  torch::Tensor fused_b, plan;
  const torch::Tensor fused_a = matcher->Fuse(a, b, &fused_b, &plan);
  EXPECT_EQ(fused_a.sizes(), a.sizes());
  EXPECT_EQ(fused_b.sizes(), b.sizes());
  EXPECT_EQ(plan.size(1), 16);
  EXPECT_LE(plan.size(2), 16);
  EXPECT_TRUE(torch::isfinite(fused_a).all().item<bool>());
  internal::ImportanceMask mask(64);
  const torch::Tensor log_z = mask(torch::randn({2, 10, 64}));
  EXPECT_EQ(log_z.sizes(), torch::IntArrayRef({2, 10}));
  EXPECT_TRUE((log_z <= 0).all().item<bool>());
}

TEST(BotmModelTest, TrainingStepGivesFiniteGradientsEverywhere) {
  torch::manual_seed(0);
  BotmModel model(Config("tiny", 64));
  model->train();
  const torch::Tensor a = torch::randn({2, 1, 64, 64});
  const BotmOutput out = model->forward(a, a + 0.1 * torch::randn_like(a));
  const torch::Tensor target = torch::randint(0, 4, {2, 64, 64});
  (torch::nn::functional::cross_entropy(out.logits_a, target) +
   torch::nn::functional::cross_entropy(out.logits_b, target))
      .backward();
  for (const auto& p : model->named_parameters()) {
    ASSERT_TRUE(p.value().grad().defined()) << p.key();
    EXPECT_TRUE(torch::isfinite(p.value().grad()).all().item<bool>()) << p.key();
  }
}

TEST(BotmModelTest, InvalidConfigThrowsInsideLibrary) {
  ModelConfig c;
  c.input_size = 100;
  EXPECT_THROW(BotmModel{c}, c10::Error);
}

}  // namespace
}  // namespace botm
