// Tests of the FLOP counter (operator shapes -> multiply-adds x 2) against counts by hand, from a
// single convolution up to the whole tiny network, and of the other botm-model-bench helpers.
#include "core/model/internal/flop_counter.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/model/internal/botm_model.h"
#include "core/model/internal/model_bench.h"

namespace botm::internal {
namespace {

TEST(FlopCounterTest, PatchEmbeddingConvolutionByHand) {
  // The tiny encoder's first layer at input 128: 1 -> 32 channels, 7x7, stride 4, padding 3,
  // so a 32x32 output; each output value is 1 x 7 x 7 multiply-adds.
  torch::nn::Conv2d conv(torch::nn::Conv2dOptions(1, 32, 7).stride(4).padding(3));
  const torch::Tensor x = torch::randn({1, 1, 128, 128});
  FlopCounter counter;
  conv(x);
  EXPECT_EQ(counter.total(), 2LL * (32 * 32 * 32) * (1 * 7 * 7));  // 3,211,264
  EXPECT_EQ(counter.by_operator().count("aten::conv2d"), 1u);
}

TEST(FlopCounterTest, GroupedConvolutionCountsOneInputChannelPerGroup) {
  // Mix-FFN's depthwise 3x3: 64 groups of one channel; batch 2, 16x16 kept by padding 1.
  torch::nn::Conv2d conv(torch::nn::Conv2dOptions(64, 64, 3).padding(1).groups(64));
  FlopCounter counter;
  conv(torch::randn({2, 64, 16, 16}));
  EXPECT_EQ(counter.total(), 2LL * (2 * 64 * 16 * 16) * 9);
}

TEST(FlopCounterTest, LinearOnTokensCountsOnceThoughItCallsMatmul) {
  // ATen's linear on [2, 10, 32] tokens runs matmul -> mm inside: counted once, at linear.
  const torch::Tensor w = torch::randn({64, 32}), bias = torch::randn({64});
  FlopCounter counter;
  torch::linear(torch::randn({2, 10, 32}), w, bias);
  EXPECT_EQ(counter.total(), 2LL * (2 * 10 * 64) * 32);
  ASSERT_EQ(counter.by_operator().size(), 1u);
  EXPECT_EQ(counter.by_operator().begin()->first, "aten::linear");
  // The C++ module (torch::nn::Linear) calls matmul itself: the same count.
  counter.Reset();
  torch::nn::Linear module(32, 64);
  module(torch::randn({2, 10, 32}));
  EXPECT_EQ(counter.total(), 2LL * (2 * 10 * 64) * 32);
}

TEST(FlopCounterTest, BatchedMatmulAndAddmmByHand) {
  FlopCounter counter;
  torch::matmul(torch::randn({3, 4, 5, 6}), torch::randn({3, 4, 6, 7}));
  EXPECT_EQ(counter.total(), 2LL * (3 * 4 * 5 * 7) * 6);
  counter.Reset();
  torch::addmm(torch::zeros({5, 7}), torch::randn({5, 6}), torch::randn({6, 7}));
  EXPECT_EQ(counter.total(), 2LL * (5 * 7) * 6);
  counter.Reset();
  torch::relu(torch::randn({100, 100})).sum();  // elementwise and reductions are not counted
  EXPECT_EQ(counter.total(), 0);
}

TEST(FlopCounterTest, CountsOnlyWhileAliveAndNestedCounterTakesOver) {
  const torch::Tensor a = torch::randn({4, 8}), b = torch::randn({8, 2});
  torch::mm(a, b);  // before any counter
  FlopCounter outer;
  torch::mm(a, b);
  {
    FlopCounter inner;
    torch::mm(a, b);
    torch::mm(a, b);
    EXPECT_EQ(inner.total(), 2 * 2LL * (4 * 2) * 8);
  }
  torch::InferenceMode guard;  // the model bench counts under InferenceMode
  torch::mm(a, b);
  EXPECT_EQ(outer.total(), 2 * 2LL * (4 * 2) * 8);
}

// The MiT encoder (mit_encoder.h) layer by layer, written out from its definition.
int64_t EncoderByHand(const EncoderVariant& v, int64_t size) {
  int64_t total = 0, in = 1, h = size;
  for (int s = 0; s < 4; ++s) {
    const int64_t k = s == 0 ? 7 : 3, stride = s == 0 ? 4 : 2, c = v.channels[s];
    h = (h + 2 * (k / 2) - k) / stride + 1;
    const int64_t n = h * h, r = v.reductions[s];
    const int64_t m = r > 1 ? ((h - r) / r + 1) * ((h - r) / r + 1) : n;
    total += 2 * n * c * in * k * k;            // overlapping patch embedding
    int64_t block = 2 * n * c * c;              // q
    if (r > 1) block += 2 * m * c * c * r * r;  // spatial-reduction conv (R x R, stride R)
    block += 2 * m * c * 2 * c;                 // kv
    block += 2 * (2 * n * m * c);               // Q K^T and A V over all heads
    block += 2 * n * c * c;                     // proj
    block += 2 * n * c * 4 * c + 2 * n * 4 * c * 9 + 2 * n * 4 * c * c;  // fc1, dwconv, fc2
    total += v.depths[s] * block;
    in = c;
  }
  return total;
}

// One TokenMatcher on a stage of n tokens and c channels, no pooling (n <= max_ot_tokens).
int64_t MatcherByHand(int64_t n, int64_t c) {
  const int64_t half = std::max<int64_t>(c / 2, 8), hidden = std::max<int64_t>(c / 4, 8);
  int64_t f = 2 * n * n * c;  // cosine cost
  f += 2 * n * n * c;         // forward projection T X_b
  f += 2 * (2 * n * c * half) + 2 * n * 2 * half * hidden + 2 * n * hidden * 2;  // importance
  f += 3 * 2 * n * c * c + 2 * (2 * n * n * c) + 2 * n * c * c;  // q, k, v; attention; proj
  return f;
}

TEST(FlopCounterTest, TinyNetworkAtSixtyFourByHand) {
  ModelConfig cfg;
  cfg.input_size = 64;
  torch::manual_seed(0);
  BotmModel model(cfg);
  cfg.cross_frame = false;
  BotmModel single(cfg);
  model->eval();
  single->eval();
  const torch::Tensor a = torch::randn({1, 1, 64, 64}), b = torch::randn({1, 1, 64, 64});
  const PathFlops flops = CountPathFlops(model, single, a, b);
  const EncoderVariant v = *VariantByName("tiny");
  EXPECT_EQ(flops.encoder, EncoderByHand(v, 64));
  // Matched stages 3 and 4: 4x4 and 2x2 maps.
  EXPECT_EQ(flops.cross_frame, MatcherByHand(16, v.channels[2]) + MatcherByHand(4, v.channels[3]));
  // Decoder: four 1x1 projections to 128, the 1x1 fuse of 4 x 128, the classifier; at 16x16.
  int64_t decoder = 0;
  const int64_t sides[4] = {16, 8, 4, 2};
  for (int s = 0; s < 4; ++s) decoder += 2 * sides[s] * sides[s] * v.channels[s] * 128;
  decoder += 2 * 256 * (4 * 128) * 128 + 2 * 256 * 128 * 4;
  EXPECT_EQ(flops.decoder, decoder);
  EXPECT_EQ(flops.single_decoder, decoder);
  // The parts add up to one stream-mode pass counted as a whole.
  FlopCounter whole;
  {
    torch::InferenceMode guard;
    model->DecodeWithPartner(model->Encode(a), model->Encode(b));
  }
  EXPECT_EQ(whole.total(), flops.encoder * 2 + flops.cross_frame + flops.decoder);
  EXPECT_EQ(flops.stream(), flops.encoder + flops.cross_frame + flops.decoder);
  // Scaling-form Sinkhorn loops: 4 N^2 per iteration, 20 iterations, 16 and 4 tokens.
  EXPECT_EQ(flops.sinkhorn_loops, 4 * (16 * 16 + 4 * 4) * 20);
}

TEST(ModelBenchTest, MatmulPeakAndSinkhornOnlyAreSane) {
  const MatmulPeak peak = MeasureMatmulPeak(64, 3, torch::kCPU);
  EXPECT_EQ(peak.n, 64);
  EXPECT_GT(peak.best_gflops, 0);
  EXPECT_GE(peak.best_gflops, peak.median_gflops);
  ModelConfig cfg;
  torch::manual_seed(0);
  BotmModel model(cfg);
  model->eval();
  torch::InferenceMode guard;
  const auto fa = model->Encode(torch::randn({1, 1, 128, 128}));
  const auto fb = model->Encode(torch::randn({1, 1, 128, 128}));
  const std::vector<torch::Tensor> plans = SinkhornOnly(fa, fb, cfg, 3);
  ASSERT_EQ(plans.size(), 2u);  // stages 3 and 4: 8x8 and 4x4 tokens
  EXPECT_EQ(plans[0].sizes(), (std::vector<int64_t>{1, 64, 64}));
  EXPECT_NEAR(plans[1].exp().sum().item<double>(), 1.0, 1e-4);
}

}  // namespace
}  // namespace botm::internal
