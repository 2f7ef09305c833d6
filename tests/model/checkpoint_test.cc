// Checkpoint round trip, corruption and variant-mismatch detection.
#include "core/model/internal/checkpoint.h"

#include <fstream>
#include <initializer_list>
#include <limits>
#include <string>

#include <gtest/gtest.h>

#include "core/model/model_factory.h"
#include "core/model/segmenter.h"

namespace botm {
namespace {

std::string TempPath(const std::string& name) { return ::testing::TempDir() + "/" + name; }

bool SameWeights(BotmModel& x, BotmModel& y) {
  auto px = x->named_parameters(), py = y->named_parameters();
  if (px.size() != py.size()) return false;
  for (const auto& p : px) {
    if (!torch::equal(p.value(), py[p.key()])) return false;
  }
  return true;
}

TEST(ConfigTest, JsonRoundTripAndValidation) {
  ModelConfig c;
  c.variant = "b2";
  c.input_size = 256;
  c.ot_stages = {3};
  c.ot_epsilon = 0.05;
  auto back = ModelConfigFromJson(ToJson(c));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(ToJson(*back), ToJson(c));
  nlohmann::json bad = ToJson(c);
  bad["variant"] = "b7";
  EXPECT_FALSE(ModelConfigFromJson(bad).ok());
  bad = ToJson(c);
  bad["ot_stages"] = {1, 1};
  EXPECT_FALSE(ModelConfigFromJson(bad).ok());
  EXPECT_FALSE(VariantByName("b0").ok());
}

// An integer card field: `absent` when the key is missing (older cards), `value` kept through a
// round trip, each of `bad` refused naming the key.
void ExpectIntCardField(const char* key, int ModelCard::*field, int absent, int value,
                        std::initializer_list<int> bad) {
  ModelCard card;
  nlohmann::json j = ToJson(card);
  j.erase(key);
  auto old = ModelCardFromJson(j);
  ASSERT_TRUE(old.ok()) << old.status();
  EXPECT_EQ((*old).*field, absent);
  card.*field = value;
  auto back = ModelCardFromJson(ToJson(card));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ((*back).*field, value);
  for (int b : bad) {
    j = ToJson(card);
    j[key] = b;
    auto refused = ModelCardFromJson(j);
    ASSERT_FALSE(refused.ok()) << key << " " << b;
    EXPECT_NE(std::string(refused.status().message()).find(key), std::string::npos);
  }
}

// The card's live partner offset: 1 when absent, refused outside [1, kMaxPartnerOffset].
TEST(ModelCardTest, PartnerOffsetDefaultsRoundTripsAndIsRangeChecked) {
  ExpectIntCardField("partner_offset", &ModelCard::partner_offset, 1, 8,
                     {0, -3, kMaxPartnerOffset + 1});
}

// The card's live partner interval: 0 (frames only) when absent, refused outside
// [0, kMaxPartnerIntervalMs].
TEST(ModelCardTest, PartnerIntervalDefaultsRoundTripsAndIsRangeChecked) {
  ExpectIntCardField("partner_interval_ms", &ModelCard::partner_interval_ms, 0, 200,
                     {-1, kMaxPartnerIntervalMs + 1});
}

// Frames spanning an interval: rounded to the nearest frame, at least 1, at most
// kMaxPartnerOffset, 1 for an unknown or non-finite rate.
TEST(PartnerTest, OffsetForInterval) {
  EXPECT_EQ(PartnerOffsetForInterval(200, 40.0), 8);
  EXPECT_EQ(PartnerOffsetForInterval(200, 20.0), 4);
  EXPECT_EQ(PartnerOffsetForInterval(200, 80.0), 16);
  EXPECT_EQ(PartnerOffsetForInterval(200, 33.0), 7);  // 6.6 rounds up
  EXPECT_EQ(PartnerOffsetForInterval(200, 32.0), 6);  // 6.4 rounds down
  EXPECT_EQ(PartnerOffsetForInterval(10, 25.0), 1);   // 0.25 frames: at least one
  EXPECT_EQ(PartnerOffsetForInterval(2000, 240.0), kMaxPartnerOffset);
  EXPECT_EQ(PartnerOffsetForInterval(200, 0.0), 1);
  EXPECT_EQ(PartnerOffsetForInterval(200, -5.0), 1);
  EXPECT_EQ(PartnerOffsetForInterval(200, std::numeric_limits<double>::infinity()), 1);
  EXPECT_EQ(PartnerOffsetForInterval(200, std::numeric_limits<double>::quiet_NaN()), 1);
}

// Precedence: frames asked for > an interval asked for > the card's interval (both only with a
// known rate) > the card's frames; kNext is always 1.
TEST(PartnerTest, EffectiveOffsetPrecedence) {
  ModelInfo info;
  info.partner_offset = 8;
  const auto prev = Segmenter::Pairing::kPrevious;
  EXPECT_EQ(EffectivePartnerOffset(prev, 0, info), 8);
  EXPECT_EQ(EffectivePartnerOffset(prev, 0, info, 50.0), 8);  // the card has no interval
  EXPECT_EQ(EffectivePartnerOffset(prev, 0, info, 50.0, 100), 5);
  EXPECT_EQ(EffectivePartnerOffset(prev, 3, info, 50.0, 100), 3);
  info.partner_interval_ms = 200;
  EXPECT_EQ(EffectivePartnerOffset(prev, 0, info, 50.0), 10);
  EXPECT_EQ(EffectivePartnerOffset(prev, 0, info, 20.0), 4);
  EXPECT_EQ(EffectivePartnerOffset(prev, 0, info, 50.0, 100), 5);
  EXPECT_EQ(EffectivePartnerOffset(prev, 0, info), 8);  // rate unknown: the card's frames
  EXPECT_EQ(EffectivePartnerOffset(prev, 0, info, std::numeric_limits<double>::quiet_NaN()), 8);
  EXPECT_EQ(EffectivePartnerOffset(prev, 2, info, 50.0), 2);
  EXPECT_EQ(EffectivePartnerOffset(Segmenter::Pairing::kNext, 0, info, 50.0, 100), 1);
  info.partner_offset = 0;  // a hand-built info: still at least 1
  info.partner_interval_ms = 0;
  EXPECT_EQ(EffectivePartnerOffset(prev, 0, info, 50.0), 1);
}

// Found by tests/fuzz/model_card_fuzz.cc: numbers that do not fit an integer field were
// converted with undefined behaviour; they are now InvalidArgument naming the key.
TEST(ConfigTest, NumbersOutOfRangeAreInvalidArgument) {
  nlohmann::json config = ToJson(ModelConfig());
  config["input_size"] = 1e20;
  absl::Status s = ModelConfigFromJson(config).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("input_size"), std::string::npos) << s;
  config = ToJson(ModelConfig());
  config["ot_stages"] = {2, 3.5};
  EXPECT_EQ(ModelConfigFromJson(config).status().code(), absl::StatusCode::kInvalidArgument);
  ModelCard card;
  nlohmann::json j = ToJson(card);
  j["seed"] = -5.5e30;
  s = ModelCardFromJson(j).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("seed"), std::string::npos) << s;
  j = ToJson(card);
  j["num_parameters"] = "many";
  EXPECT_EQ(ModelCardFromJson(j).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(ModelCardFromJson(ToJson(card)).ok());
}

TEST(CheckpointTest, RoundTripIsExact) {
  const std::string path = TempPath("round.pt");
  torch::manual_seed(3);
  ModelConfig c;
  BotmModel model(c);
  ModelCard card;
  card.version = "test";
  card.seed = 3;
  ASSERT_TRUE(SaveCheckpoint(model, card, path, /*fp16=*/false).ok());
  ModelCard loaded_card;
  auto loaded = LoadCheckpoint(path, &loaded_card);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_TRUE(SameWeights(model, *loaded));
  EXPECT_EQ(loaded_card.num_parameters, CountParameters(model));
  EXPECT_EQ(loaded_card.weights_sha256.size(), 64u);
  EXPECT_EQ(loaded_card.version, "test");
  // Buffers (BatchNorm statistics) too.
  for (const auto& b : model->named_buffers()) {
    EXPECT_TRUE(torch::equal(b.value(), (*loaded)->named_buffers()[b.key()])) << b.key();
  }
}

TEST(CheckpointTest, Fp16StorageIsHalfTheSizeAndLoadsAsFloat) {
  const std::string p32 = TempPath("w32.pt"), p16 = TempPath("w16.pt");
  ModelConfig c;
  ASSERT_TRUE(CreateInitialCheckpoint(c, 5, p32, false).ok());
  ASSERT_TRUE(CreateInitialCheckpoint(c, 5, p16, true).ok());
  const auto size = [](const std::string& p) {
    return static_cast<double>(std::ifstream(p, std::ios::ate | std::ios::binary).tellg());
  };
  std::printf("tiny checkpoint: fp32 %.2f MB, fp16 %.2f MB\n", size(p32) / 1e6, size(p16) / 1e6);
  EXPECT_LT(size(p16), 0.6 * size(p32));
  EXPECT_LT(size(p16), 16e6);
  ModelCard card;
  auto m32 = LoadCheckpoint(p32, nullptr);
  auto m16 = LoadCheckpoint(p16, &card);
  ASSERT_TRUE(m32.ok() && m16.ok());
  EXPECT_TRUE(card.fp16_weights);
  EXPECT_EQ(card.training_data, "untrained");
  for (const auto& p : (*m16)->named_parameters()) {
    EXPECT_EQ(p.value().scalar_type(), torch::kFloat32);
    const torch::Tensor ref = (*m32)->named_parameters()[p.key()];
    EXPECT_TRUE(torch::equal(p.value(), ref.to(torch::kHalf).to(torch::kFloat32))) << p.key();
  }
}

TEST(CheckpointTest, CorruptWeightsAreRejected) {
  const std::string path = TempPath("corrupt.pt");
  ASSERT_TRUE(CreateInitialCheckpoint(ModelConfig(), 1, path).ok());
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(5000);
    const char byte = static_cast<char>(f.get());
    f.seekp(5000);
    f.put(static_cast<char>(~byte));
  }
  auto loaded = LoadCheckpoint(path, nullptr);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(loaded.status().message()).find("corrupt"), std::string::npos);
}

TEST(CheckpointTest, MissingCardIsRejected) {
  const std::string path = TempPath("nocard.pt");
  ASSERT_TRUE(CreateInitialCheckpoint(ModelConfig(), 1, path).ok());
  std::remove(ModelCardPathFor(path).c_str());
  auto loaded = LoadCheckpoint(path, nullptr);
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(std::string(loaded.status().message()).find("card"), std::string::npos);
}

TEST(CheckpointTest, WrongVariantCardIsRejected) {
  const std::string path = TempPath("variant.pt");
  ASSERT_TRUE(CreateInitialCheckpoint(ModelConfig(), 1, path).ok());
  for (const char* field : {"variant", "cross_frame", "decoder_dim"}) {
    auto card = ReadModelCard(ModelCardPathFor(path));
    ASSERT_TRUE(card.ok());
    ModelCard edited = *card;
    if (std::string(field) == "variant") edited.config.variant = "b2";
    if (std::string(field) == "cross_frame") edited.config.cross_frame = false;
    if (std::string(field) == "decoder_dim") edited.config.decoder_dim = 64;
    ASSERT_TRUE(WriteModelCard(edited, ModelCardPathFor(path)).ok());
    auto loaded = LoadCheckpoint(path, nullptr);
    ASSERT_FALSE(loaded.ok()) << field;
    EXPECT_EQ(loaded.status().code(), absl::StatusCode::kInvalidArgument);
    std::printf("%s mismatch: %s\n", field, std::string(loaded.status().message()).c_str());
    ASSERT_TRUE(WriteModelCard(*card, ModelCardPathFor(path)).ok());
  }
  EXPECT_TRUE(LoadCheckpoint(path, nullptr).ok());
}

}  // namespace
}  // namespace botm
