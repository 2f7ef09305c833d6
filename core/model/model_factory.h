// Torch-free helpers to make checkpoints without training (tests, engineers before the trained
// model exists).
#ifndef BOTM_CORE_MODEL_MODEL_FACTORY_H_
#define BOTM_CORE_MODEL_MODEL_FACTORY_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "core/model/model_config.h"

namespace botm {

// Writes pt_path + its card with weights initialised from `seed` (the card says
// training_data "untrained"). InvalidArgument for an invalid config; Internal on I/O errors.
absl::Status CreateInitialCheckpoint(const ModelConfig& config, uint64_t seed,
                                     const std::string& pt_path, bool fp16 = false);

}  // namespace botm

#endif  // BOTM_CORE_MODEL_MODEL_FACTORY_H_
