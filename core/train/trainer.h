// Trains a BOTM network (any variant, cross-frame or the single-frame ablation) on pairs from
// the synthetic generator or a CAMUS/TED folder. Torch-free interface.
//
// The run: AdamW, linear warm-up + cosine schedule, 0.5 CE + 0.5 soft Dice on both frames of
// each pair, batches built on a background thread; from random weights or, to fine-tune, from
// another run's training state (init_from). Every checkpoint_every_steps it writes the
// model checkpoint (out_path + card) and a training state (out_path + ".state" with fp32
// weights and optimizer moments, out_path + ".state.json" with step, planned total, seed and
// options) so a stopped run resumes where it stopped. The data stream and the torch generator
// are functions of (seed, step), so resuming is bit-identical on CPU for the same thread count.
// Wall-clock budget: after calibration_steps the step rate is measured and the cosine schedule
// is planned over the steps that fit into the budget (PlanTotalSteps); the run also stops when
// the budget is spent. For bit-reproducible runs use a step count instead.
// Thread-safety: one Train() per process (it sets the process-wide torch thread count).
#ifndef BOTM_CORE_TRAIN_TRAINER_H_
#define BOTM_CORE_TRAIN_TRAINER_H_

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "core/model/model_config.h"
#include "core/train/augment.h"
#include "core/train/pair_source.h"
#include "core/train/schedule.h"

namespace botm::train {

struct TrainOptions {
  ModelConfig model;               // variant, input size, cross_frame, ...
  std::string data = "synthetic";  // "synthetic" or a CAMUS/TED folder
  std::string out_path = "models/botm-tiny-192.pt";
  bool resume = true;  // continue from out_path's state when it exists
  // Fine-tuning: start from the fp32 weights of another run's training state (a checkpoint path
  // P reads P.state and P.state.json; the model config must match) with a fresh optimizer and
  // this run's own schedule, seed and data stream. Empty: random initialisation. A run that
  // resumes from out_path's own state ignores it. The source's lineage goes into the card.
  // Without a state beside it (a released model), the checkpoint's own weights are used.
  std::string init_from;
  // Start from init_from's checkpoint weights as stored (fp16 when the card says so) even when
  // its fp32 state is there: fine-tuning a released model exactly as it was shipped.
  bool init_from_checkpoint = false;
  uint64_t seed = 1;
  int batch_size = 8;            // pairs per step
  int64_t steps = 3000;          // schedule length (upper bound with a time budget)
  int64_t stop_after_steps = 0;  // >0: stop this invocation after this many steps
  double time_budget_min = 0;    // >0: plan the schedule and stop by wall time
  int calibration_steps = 30;    // steps timed before planning with a budget
  ScheduleOptions schedule;
  double weight_decay = 0.01;
  double dice_weight = 0.5;     // CE weight = 1 - dice_weight
  bool per_image_dice = false;  // soft Dice per image instead of over the batch (loss.h)
  AugmentOptions augment;
  PairSourceOptions pairs;
  int threads = 0;              // torch intra-op threads; 0 = all cores
  std::string device = "auto";  // auto | cpu | cuda
  int checkpoint_every_steps = 200;
  int validate_every_steps = 200;
  int validation_pairs = 24;     // held-out synthetic pairs (normal bin)
  bool fp16_checkpoint = false;  // store the shipped weights as half
  bool progress = true;
  std::string version = "0.1.0";
};

struct TrainSummary {
  int64_t steps_done = 0, total_steps = 0;
  double wall_s = 0, images_per_s = 0;
  double last_loss = 0;                 // mean loss over the last 50 steps
  std::vector<double> validation_dice;  // per class, last validation
  nlohmann::json history;               // [{step, loss, lr, val_dice[...]}, ...]
};

// Runs (or resumes) training; writes the checkpoint, card and state. InvalidArgument for bad
// options, NotFound for a missing data folder, Internal for errors inside LibTorch.
absl::StatusOr<TrainSummary> Train(const TrainOptions& options);

// Writes a PNG of the first `pairs` training pairs exactly as the run would feed them to the
// model (core/train/preview.h). Errors as Train() for bad options or data.
absl::Status WritePreview(const TrainOptions& options, const std::string& png_path, int pairs);

// Serialises the options for the model card and the state file.
nlohmann::json ToJson(const TrainOptions& options);

}  // namespace botm::train

#endif  // BOTM_CORE_TRAIN_TRAINER_H_
