// Internal to the training library (includes LibTorch): the state of one training run and the
// helpers around the step loop (tensors from batches, validation, checkpoints, resume).
#ifndef BOTM_CORE_TRAIN_TRAIN_RUN_H_
#define BOTM_CORE_TRAIN_TRAIN_RUN_H_

#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/model/internal/botm_model.h"
#include "core/train/augment.h"
#include "core/train/pair_source.h"
#include "core/train/trainer.h"

namespace botm::train {

struct TrainRun {
  TrainOptions options;
  torch::Device device = torch::kCPU;
  BotmModel model{nullptr};
  std::unique_ptr<torch::optim::AdamW> optimizer;
  int64_t step = 0;         // steps completed
  int64_t total_steps = 0;  // schedule length (planned once with a time budget)
  bool total_planned = false;
  double wall_s_before = 0;       // wall time of earlier invocations (resume)
  double warmup_end_wall_s = -1;  // run wall time when warm-up ended (budget schedule)
  nlohmann::json history = nlohmann::json::array();
  std::string training_data;  // PairSource::Describe()
  // init_from's lineage: {path, steps_done, options, history of the source run, and its own
  // init when that was a fine-tune too}; null for a run from random weights.
  nlohmann::json init;
};

// Stacked pair tensors on a device: images normalised [N, 1, S, S], labels int64 [N, S, S].
struct PairTensors {
  torch::Tensor a, b, labels_a, labels_b;
};
PairTensors ToTensors(const Batch& batch, torch::Device device);
PairTensors ToTensors(const std::vector<FramePair>& pairs, torch::Device device);

// Per-class Dice (index = class) of the model on the validation pairs (both frames), eval mode.
std::vector<double> Validate(TrainRun& run, const PairTensors& val, int batch_size);

// Paths of the training state beside the checkpoint.
std::string StatePath(const std::string& out_path);      // out_path + ".state"
std::string StateMetaPath(const std::string& out_path);  // out_path + ".state.json"

// Writes the checkpoint (+ card) and the training state. Internal on I/O or torch errors.
absl::Status SaveRun(TrainRun& run, const TrainSummary& summary);
// Restores model, optimizer, step, planned total and history from out_path's state. NotFound
// when there is none; InvalidArgument when it was written with a different model config.
absl::Status RestoreRun(TrainRun& run);

// Loads the model weights (only) of the run whose checkpoint is `source` (source.state and
// source.state.json) and fills run.init. When that state is missing but `source` is a
// checkpoint with its card (a released model), its weights are used (fp16 storage widened to
// fp32) and the card's training record becomes the lineage. NotFound when neither exists;
// InvalidArgument when the state or checkpoint is corrupt or has a different model config.
// `checkpoint_weights` forces the checkpoint path even when the state exists.
absl::Status InitFromRun(TrainRun& run, const std::string& source, bool checkpoint_weights);

// The step loop from run.step to run.total_steps (see trainer.h for budget and checkpoints).
absl::StatusOr<TrainSummary> TrainLoop(TrainRun& run, const PairSource& source,
                                       const std::vector<FramePair>& validation);

}  // namespace botm::train

#endif  // BOTM_CORE_TRAIN_TRAIN_RUN_H_
