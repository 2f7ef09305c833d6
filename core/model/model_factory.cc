#include "core/model/model_factory.h"

#include "absl/strings/str_cat.h"
#include "core/model/internal/botm_model.h"
#include "core/model/internal/checkpoint.h"

namespace botm {

absl::Status CreateInitialCheckpoint(const ModelConfig& config, uint64_t seed,
                                     const std::string& pt_path, bool fp16) {
  absl::Status valid = ValidateModelConfig(config);
  if (!valid.ok()) return valid;
  try {
    torch::manual_seed(seed);
    BotmModel model(config);
    model->eval();
    ModelCard card;
    card.name = config.cross_frame ? "botm" : "botm-single-frame";
    card.version = "0-untrained";
    card.training_data = "untrained";
    card.notes = absl::StrCat("random initialisation from seed ", seed);
    card.seed = seed;
    return SaveCheckpoint(model, card, pt_path, fp16);
  } catch (const c10::Error& e) {
    return absl::InternalError(e.what_without_backtrace());
  }
}

}  // namespace botm
