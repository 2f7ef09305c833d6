// BOTM checkpoints: NAME.pt (a torch::serialize archive with the same nested layout as
// torch::save(module), tensors optionally stored as half) and NAME.json (the model card, with the
// sha256 of the .pt bytes). Loading verifies the digest and every tensor's shape against the
// model the card describes.
#ifndef BOTM_CORE_MODEL_INTERNAL_CHECKPOINT_H_
#define BOTM_CORE_MODEL_INTERNAL_CHECKPOINT_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/model/internal/botm_model.h"
#include "core/model/model_card.h"

namespace botm {

// Writes pt_path and its card (ModelCardPathFor(pt_path)). The card's config, num_parameters,
// fp16_weights and weights_sha256 are filled in from the model and the written file; its
// created_utc is set to now if empty. fp16: floating tensors stored as half (the model in
// memory is not changed). Internal on I/O errors.
absl::Status SaveCheckpoint(BotmModel& model, ModelCard card, const std::string& pt_path,
                            bool fp16);

// Loads a checkpoint as float32 on the CPU, in eval mode. InvalidArgument when the card is
// missing or invalid, the .pt is missing, its sha256 differs from the card ("corrupt"), or the
// weights do not fit the card's variant/config (missing, unexpected or mis-shaped tensors).
absl::StatusOr<BotmModel> LoadCheckpoint(const std::string& pt_path, ModelCard* card_out);

}  // namespace botm

#endif  // BOTM_CORE_MODEL_INTERNAL_CHECKPOINT_H_
