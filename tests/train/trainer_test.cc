#include "core/train/trainer.h"

#include <filesystem>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/model/internal/botm_model.h"
#include "core/model/internal/checkpoint.h"
#include "core/train/loss.h"
#include "core/train/pair_source.h"
#include "core/train/train_run.h"

namespace botm::train {
namespace {

void ExpectSameParameters(BotmModel& a, BotmModel& b) {
  auto pa = a->named_parameters(), pb = b->named_parameters();
  ASSERT_EQ(pa.size(), pb.size());
  for (const auto& item : pa) {
    EXPECT_TRUE(torch::equal(item.value(), pb[item.key()])) << item.key();
  }
}

class TrainerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("botm_trainer_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  TrainOptions Small(const std::string& name) const {
    TrainOptions o;
    o.model.input_size = 64;
    o.pairs.size_px = 64;
    o.out_path = (dir_ / name).string();
    o.batch_size = 2;
    o.steps = 4;
    o.threads = 1;
    o.validation_pairs = 2;
    o.validate_every_steps = 2;
    o.checkpoint_every_steps = 0;
    o.schedule.warmup_steps = 2;
    o.progress = false;
    return o;
  }

  // Trains `tune` and loads it and its source `base` with their cards; the lr-0 fine-tune must
  // hold exactly the source's weights.
  void ExpectTunedLikeSource(const TrainOptions& base, const TrainOptions& tune, ModelCard* cb,
                             ModelCard* ct) const {
    auto summary = Train(tune);
    ASSERT_TRUE(summary.ok()) << summary.status();
    auto a = LoadCheckpoint(base.out_path, cb);
    auto b = LoadCheckpoint(tune.out_path, ct);
    ASSERT_TRUE(a.ok() && b.ok());
    ExpectSameParameters(*a, *b);
  }

  // One fine-tune step at learning rate 0 from `source`: the weights cannot move.
  TrainOptions ZeroLrFineTune(const std::string& name, const std::string& source,
                              uint64_t seed) const {
    TrainOptions o = Small(name);
    o.init_from = source;
    o.seed = seed;
    o.steps = 1;
    o.schedule.base_lr = 0;
    o.schedule.warmup_steps = 0;
    return o;
  }
  std::filesystem::path dir_;
};

// Every parameter of two checkpoints' models is bit-identical.

TEST_F(TrainerTest, SmokeRunWritesLoadableCheckpointWithCard) {
  TrainOptions o = Small("smoke.pt");
  o.steps = 3;
  auto summary = Train(o);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->steps_done, 3);
  EXPECT_TRUE(std::isfinite(summary->last_loss));
  EXPECT_GT(summary->last_loss, 0.0);
  ASSERT_EQ(summary->validation_dice.size(), 4u);
  ModelCard card;
  auto model = LoadCheckpoint(o.out_path, &card);
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_EQ(card.name, "botm");
  EXPECT_EQ(card.seed, o.seed);
  EXPECT_EQ(card.training["steps_done"], 3);
  EXPECT_NE(card.notes.find("not for clinical decisions"), std::string::npos);
  // The data options are on record (the defaults: every shipped model's).
  EXPECT_EQ(card.training["options"]["anatomy_revision"], 1);
  EXPECT_EQ(card.training["options"]["max_partner_offset"], 3);
}

TEST_F(TrainerTest, RefusesBadDataOptionsNamingThem) {
  const auto message = [&](auto mutate) {
    TrainOptions o = Small("refused.pt");
    mutate(o);
    auto summary = Train(o);
    EXPECT_EQ(summary.status().code(), absl::StatusCode::kInvalidArgument);
    return std::string(summary.status().message());
  };
  EXPECT_EQ(message([](TrainOptions& o) { o.pairs.anatomy_revision = 3; }),
            "anatomy_revision must be in [1, 2], got 3");
  EXPECT_EQ(message([](TrainOptions& o) { o.pairs.anatomy_revision = 0; }),
            "anatomy_revision must be in [1, 2], got 0");
  EXPECT_EQ(message([](TrainOptions& o) { o.pairs.max_offset = 65; }),
            "max_partner_offset must be in [0, 64] frames, got 65");
  EXPECT_FALSE(std::filesystem::exists(dir_ / "refused.pt"));
}

TEST_F(TrainerTest, ResumeContinuesBitIdentically) {
  TrainOptions full = Small("full.pt");
  ASSERT_TRUE(Train(full).ok());
  TrainOptions split = Small("split.pt");
  split.stop_after_steps = 2;
  auto first = Train(split);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->steps_done, 2);
  split.stop_after_steps = 0;
  auto second = Train(split);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->steps_done, 4);
  ModelCard ca, cb;
  auto a = LoadCheckpoint(full.out_path, &ca);
  auto b = LoadCheckpoint(split.out_path, &cb);
  ASSERT_TRUE(a.ok() && b.ok());
  ExpectSameParameters(*a, *b);
  auto ba = (*a)->named_buffers(), bb = (*b)->named_buffers();
  ASSERT_EQ(ba.size(), bb.size());
  for (const auto& item : ba) {
    EXPECT_TRUE(torch::equal(item.value(), bb[item.key()])) << item.key();
  }
}

TEST_F(TrainerTest, SingleFrameAblationTrainsToo) {
  TrainOptions o = Small("single.pt");
  o.model.cross_frame = false;
  o.steps = 2;
  auto summary = Train(o);
  ASSERT_TRUE(summary.ok()) << summary.status();
  ModelCard card;
  ASSERT_TRUE(LoadCheckpoint(o.out_path, &card).ok());
  EXPECT_EQ(card.name, "botm-single-frame");
  EXPECT_FALSE(card.config.cross_frame);
}

// With lr 0 a fine-tune step changes nothing (AdamW's decay is lr-scaled), so the fine-tuned
// checkpoint must hold exactly the source run's fp32 weights, and the card its lineage.
TEST_F(TrainerTest, InitFromStartsAtTheSourceWeightsAndRecordsLineage) {
  TrainOptions base = Small("base.pt");
  base.steps = 2;
  ASSERT_TRUE(Train(base).ok());
  // A different seed: the weights must come from the source, not the init.
  TrainOptions tune = ZeroLrFineTune("tuned.pt", base.out_path, 7);
  tune.per_image_dice = true;
  ModelCard cb, ct;
  ASSERT_NO_FATAL_FAILURE(ExpectTunedLikeSource(base, tune, &cb, &ct));
  ASSERT_TRUE(ct.training.contains("init_from"));
  EXPECT_EQ(ct.training["init_from"]["path"], base.out_path);
  EXPECT_EQ(ct.training["init_from"]["steps_done"], 2);
  EXPECT_EQ(ct.training["options"]["per_image_dice"], true);
  EXPECT_FALSE(cb.training.contains("init_from"));

  // A model config that differs from the source's is refused, naming both.
  TrainOptions other = Small("other.pt");
  other.init_from = base.out_path;
  other.model.cross_frame = false;
  auto refused = Train(other);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("model config"), std::string::npos);
  // No state beside the named checkpoint: NotFound naming the missing file.
  TrainOptions missing = Small("missing.pt");
  missing.init_from = (dir_ / "nowhere.pt").string();
  auto none = Train(missing);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(none.status().message().find("nowhere.pt.state"), std::string::npos);
  // Fine-tuning onto its own checkpoint is refused (that is resume).
  TrainOptions self = Small("self.pt");
  self.init_from = self.out_path;
  EXPECT_EQ(Train(self).status().code(), absl::StatusCode::kInvalidArgument);
}

// A released checkpoint carries no training state: init_from then starts from its weights and
// takes the lineage from its card.
TEST_F(TrainerTest, InitFromACheckpointWithoutStateUsesItsWeightsAndCard) {
  TrainOptions base = Small("released.pt");
  base.steps = 2;
  ASSERT_TRUE(Train(base).ok());
  std::filesystem::remove(base.out_path + ".state");
  std::filesystem::remove(base.out_path + ".state.json");
  TrainOptions tune = ZeroLrFineTune("tuned.pt", base.out_path, 9);
  ModelCard cb, ct;
  ASSERT_NO_FATAL_FAILURE(ExpectTunedLikeSource(base, tune, &cb, &ct));
  EXPECT_EQ(ct.training["init_from"]["path"], base.out_path);
  EXPECT_EQ(ct.training["init_from"]["steps_done"], 2);
  EXPECT_EQ(ct.training["init_from"]["weights_sha256"], cb.weights_sha256);
  EXPECT_NE(ct.training["init_from"]["weights"].get<std::string>().find("stored fp32 weights"),
            std::string::npos);
  // With its fp32 state there, a fp16 release is still fine-tuned from the stored (rounded)
  // weights when asked (init_from_checkpoint), and from the exact fp32 state otherwise.
  TrainOptions half = Small("half.pt");
  half.steps = 2;
  half.fp16_checkpoint = true;
  ASSERT_TRUE(Train(half).ok());
  ASSERT_TRUE(std::filesystem::exists(half.out_path + ".state"));
  TrainOptions from_release = ZeroLrFineTune("from_release.pt", half.out_path, 9);
  from_release.init_from_checkpoint = true;
  TrainOptions from_state = ZeroLrFineTune("from_state.pt", half.out_path, 9);
  ASSERT_TRUE(Train(from_release).ok());
  ASSERT_TRUE(Train(from_state).ok());
  auto released = LoadCheckpoint(half.out_path, nullptr);
  auto tuned_release = LoadCheckpoint(from_release.out_path, nullptr);
  auto tuned_state = LoadCheckpoint(from_state.out_path, nullptr);
  ASSERT_TRUE(released.ok() && tuned_release.ok() && tuned_state.ok());
  ExpectSameParameters(*released, *tuned_release);
  bool any_differs = false;
  auto rounded = (*released)->named_parameters(), exact = (*tuned_state)->named_parameters();
  for (const auto& item : rounded) any_differs |= !torch::equal(item.value(), exact[item.key()]);
  EXPECT_TRUE(any_differs) << "the fp32 state must not be rounded to fp16";
  // A released checkpoint of another architecture is refused, naming both configs.
  TrainOptions other = Small("other.pt");
  other.init_from = base.out_path;
  other.model.cross_frame = false;
  auto refused = Train(other);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("different model config"), std::string::npos);
}

TEST(OverfitTest, LossFallsOnAFixedBatch) {
  torch::manual_seed(3);
  at::set_num_threads(1);
  ModelConfig config;
  config.input_size = 64;
  BotmModel model(config);
  PairSourceOptions po;
  po.size_px = 64;
  auto source = MakeSyntheticPairSource(po);
  AugmentOptions no_aug;
  no_aug.enabled = false;
  auto batch = MakeBatch(*source, no_aug, 1, 0, 2);
  ASSERT_TRUE(batch.ok()) << batch.status();
  const PairTensors t = ToTensors(*batch, torch::kCPU);
  torch::optim::AdamW opt(model->parameters(), torch::optim::AdamWOptions(2e-3));
  double first = 0, last = 0;
  for (int i = 0; i < 12; ++i) {
    BotmOutput out = model->forward(t.a, t.b);
    LossParts parts;
    torch::Tensor loss =
        PairLoss(out.logits_a, t.labels_a, out.logits_b, t.labels_b, LossOptions(), &parts);
    opt.zero_grad();
    loss.backward();
    opt.step();
    (i == 0 ? first : last) = parts.total;
  }
  EXPECT_LT(last, 0.8 * first);
}

}  // namespace
}  // namespace botm::train
