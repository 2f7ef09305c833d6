#include "core/train/trainer.h"

#include <thread>

#include <spdlog/spdlog.h>
#include <opencv2/core.hpp>

#include "absl/strings/str_cat.h"
#include "core/model/partner.h"
#include "core/model/segmenter.h"
#include "core/synth/echo_generator.h"
#include "core/train/preview.h"
#include "core/train/real_data.h"
#include "core/train/train_run.h"

namespace botm::train {
namespace {

absl::Status CheckOptions(const TrainOptions& o) {
  if (absl::Status s = ValidateModelConfig(o.model); !s.ok()) return s;
  if (o.batch_size < 1) return absl::InvalidArgumentError("batch_size must be >= 1");
  if (o.steps < 1) return absl::InvalidArgumentError("steps must be >= 1");
  if (o.dice_weight < 0 || o.dice_weight > 1)
    return absl::InvalidArgumentError("dice_weight must be in [0, 1]");
  if (!(o.pairs.ed_es_probability >= 0 && o.pairs.ed_es_probability <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("ed_es_probability must be in [0, 1], got ", o.pairs.ed_es_probability));
  }
  if (o.pairs.max_offset < 0 || o.pairs.max_offset > kMaxPartnerOffset) {
    return absl::InvalidArgumentError(absl::StrCat("max_partner_offset must be in [0, ",
                                                   kMaxPartnerOffset, "] frames, got ",
                                                   o.pairs.max_offset));
  }
  if (o.pairs.anatomy_revision < 1 || o.pairs.anatomy_revision > synth::kLatestAnatomyRevision) {
    return absl::InvalidArgumentError(absl::StrCat("anatomy_revision must be in [1, ",
                                                   synth::kLatestAnatomyRevision, "], got ",
                                                   o.pairs.anatomy_revision));
  }
  if (!o.init_from.empty() && o.init_from == o.out_path) {
    return absl::InvalidArgumentError(
        "init_from must name another run's checkpoint than out (use resume to continue a run)");
  }
  if (o.device != "auto" && o.device != "cpu" && o.device != "cuda") {
    return absl::InvalidArgumentError("device must be auto, cpu or cuda");
  }
  if (o.device == "cuda" && !torch::cuda::is_available()) {
    return absl::UnavailableError("device cuda asked but LibTorch sees no CUDA GPU");
  }
  if (o.pairs.size_px != o.model.input_size) {
    return absl::InvalidArgumentError("pairs.size_px must equal model.input_size");
  }
  const size_t bins = o.pairs.difficulty_weights.size();
  if (bins != 6 && bins != static_cast<size_t>(synth::kNumTrainingBins)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "difficulty_weights needs 6 or ", synth::kNumTrainingBins, " weights, got ", bins));
  }
  double total = 0;
  for (double w : o.pairs.difficulty_weights) {
    if (!(w >= 0)) return absl::InvalidArgumentError("difficulty_weights must be >= 0");
    total += w;
  }
  if (!(total > 0)) return absl::InvalidArgumentError("difficulty_weights sum to zero");
  if (o.pairs.max_render_scale < 1 || o.pairs.max_render_scale > 4) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_render_scale must be in [1, 4], got ", o.pairs.max_render_scale));
  }
  if (!(o.pairs.min_render_scale >= 0.25 && o.pairs.min_render_scale <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("min_render_scale must be in [0.25, 1], got ", o.pairs.min_render_scale));
  }
  const AugmentOptions& a = o.augment;
  if (!(a.lowres_probability >= 0 && a.lowres_probability <= 1) ||
      !(a.jpeg_probability >= 0 && a.jpeg_probability <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("lowres_probability and lowres_jpeg_probability must be in [0, 1], got ",
                     a.lowres_probability, " and ", a.jpeg_probability));
  }
  if (!(a.min_lowres_frac >= 0.1 && a.min_lowres_frac <= a.max_lowres_frac &&
        a.max_lowres_frac <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("lowres fractions need 0.1 <= min <= max <= 1, got ", a.min_lowres_frac,
                     " and ", a.max_lowres_frac));
  }
  return absl::OkStatus();
}

struct Data {
  std::unique_ptr<PairSource> source;
  std::vector<FramePair> validation;
};

// Synthetic: generator on the fly + held-out normal-bin pairs. Folder: every tenth clip is
// held out for validation, the rest trains.
absl::StatusOr<Data> LoadData(const TrainOptions& o) {
  Data d;
  if (o.data == "synthetic") {
    d.source = MakeSyntheticPairSource(o.pairs);
    auto val = SyntheticValidationPairs(o.validation_pairs, o.pairs);
    if (!val.ok()) return val.status();
    d.validation = std::move(*val);
    return d;
  }
  RealDataOptions ro;
  ro.resize_width_px = ro.resize_height_px = (o.pairs.crop_sector ? 2 : 1) * o.pairs.size_px;
  auto clips = LoadEchoFolder(o.data, ro);
  if (!clips.ok()) return clips.status();
  std::vector<LabeledClip> train, held;
  for (size_t i = 0; i < clips->size(); ++i) ((i % 10 == 9) ? held : train).push_back((*clips)[i]);
  if (held.empty()) held.push_back(train.back());
  auto source = MakeClipPairSource(std::move(train), o.pairs);
  if (!source.ok()) return source.status();
  d.source = std::move(*source);
  auto val = ClipValidationPairs(std::move(held), o.validation_pairs, o.pairs);
  if (!val.ok()) return val.status();
  d.validation = std::move(*val);
  return d;
}

}  // namespace

nlohmann::json ToJson(const TrainOptions& o) {
  return {{"model", ToJson(o.model)},
          {"data", o.data},
          {"seed", o.seed},
          {"batch_size", o.batch_size},
          {"steps", o.steps},
          {"time_budget_min", o.time_budget_min},
          {"calibration_steps", o.calibration_steps},
          {"base_lr", o.schedule.base_lr},
          {"warmup_steps", o.schedule.warmup_steps},
          {"min_lr_ratio", o.schedule.min_lr_ratio},
          {"weight_decay", o.weight_decay},
          {"dice_weight", o.dice_weight},
          {"per_image_dice", o.per_image_dice},
          {"init_from", o.init_from},
          {"init_from_checkpoint", o.init_from_checkpoint},
          {"augment", o.augment.enabled},
          {"max_partner_offset", o.pairs.max_offset},
          {"ed_es_probability", o.pairs.ed_es_probability},
          {"difficulty_weights", o.pairs.difficulty_weights},
          {"min_render_scale", o.pairs.min_render_scale},
          {"max_render_scale", o.pairs.max_render_scale},
          {"anatomy_revision", o.pairs.anatomy_revision},
          {"augment_gamma", {o.augment.min_gamma, o.augment.max_gamma}},
          {"lowres_probability", o.augment.lowres_probability},
          {"lowres_frac", {o.augment.min_lowres_frac, o.augment.max_lowres_frac}},
          {"lowres_jpeg_probability", o.augment.jpeg_probability},
          {"threads", o.threads},
          {"device", o.device},
          {"validation_pairs", o.validation_pairs},
          {"fp16_checkpoint", o.fp16_checkpoint},
          {"optimizer", "AdamW(0.9, 0.999), grad clip 1.0"},
          {"schedule", "linear warm-up, cosine to min_lr_ratio"}};
}

// The data pipeline applies the model's own input policy (as the Segmenter does).
TrainOptions WithInputPolicy(TrainOptions options) {
  options.pairs.crop_sector = options.model.crop_sector;
  options.pairs.rank_norm = options.model.input_norm == "rank";
  return options;
}

absl::Status WritePreview(const TrainOptions& requested, const std::string& png_path, int pairs) {
  if (absl::Status s = CheckOptions(requested); !s.ok()) return s;
  if (pairs < 1 || pairs > 64) return absl::InvalidArgumentError("preview pairs must be 1..64");
  const TrainOptions options = WithInputPolicy(requested);
  absl::StatusOr<Data> data = LoadData(options);
  if (!data.ok()) return data.status();
  return WriteTrainingPreview(*data->source, options.augment, options.seed, pairs, png_path);
}

absl::StatusOr<TrainSummary> Train(const TrainOptions& requested) {
  if (absl::Status s = CheckOptions(requested); !s.ok()) return s;
  const TrainOptions options = WithInputPolicy(requested);
  try {
    TrainRun run;
    run.options = options;
    const int threads = options.threads > 0 ? options.threads
                                            : static_cast<int>(std::thread::hardware_concurrency());
    at::set_num_threads(std::max(1, threads));
    cv::setNumThreads(1);
    run.device = (options.device != "cpu" && torch::cuda::is_available())
                     ? torch::Device(torch::kCUDA)
                     : torch::Device(torch::kCPU);
    // Bit-reproducibility holds per seed, thread count and BLAS kernel: name all three.
    spdlog::info("botm-train: device {}, intra-op threads {}, BLAS {}, seed {}",
                 run.device.is_cuda() ? "cuda" : "cpu", at::get_num_threads(), LoadedBlasName(),
                 options.seed);
    absl::StatusOr<Data> data = LoadData(options);
    if (!data.ok()) return data.status();
    run.training_data = data->source->Describe();
    torch::manual_seed(options.seed);
    run.model = BotmModel(options.model);
    run.model->to(run.device);
    run.optimizer = std::make_unique<torch::optim::AdamW>(
        run.model->parameters(),
        torch::optim::AdamWOptions(options.schedule.base_lr).weight_decay(options.weight_decay));
    run.total_steps = options.steps;
    bool resumed = false;
    if (options.resume) {
      absl::Status s = RestoreRun(run);
      if (s.ok()) {
        resumed = true;
        spdlog::info("resuming {} at step {} of {}", options.out_path, run.step, run.total_steps);
      } else if (!absl::IsNotFound(s)) {
        return s;
      }
    }
    if (!resumed && !options.init_from.empty()) {
      if (absl::Status s = InitFromRun(run, options.init_from, options.init_from_checkpoint);
          !s.ok())
        return s;
      spdlog::info("fine-tuning from {} (trained {} steps)", options.init_from,
                   run.init.value("steps_done", int64_t{0}));
    }
    return TrainLoop(run, *data->source, data->validation);
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("training failed: ", e.what()));
  }
}

}  // namespace botm::train
