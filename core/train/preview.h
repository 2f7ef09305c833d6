// A picture of what the network is trained on: the first pairs of a training run exactly as the
// model sees them (after augmentation and the input policy), each frame beside its labels.
// Thread-safety: a blocking, stateless call.
#ifndef BOTM_CORE_TRAIN_PREVIEW_H_
#define BOTM_CORE_TRAIN_PREVIEW_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "core/train/augment.h"
#include "core/train/pair_source.h"

namespace botm::train {

// Writes a PNG grid of `pairs` training pairs of `source` (batch of step 0 of run `seed`): each
// row is frame a, frame a with labels, frame b, frame b with labels. Internal on write errors.
absl::Status WriteTrainingPreview(const PairSource& source, const AugmentOptions& augment,
                                  uint64_t seed, int pairs, const std::string& png_path);

}  // namespace botm::train

#endif  // BOTM_CORE_TRAIN_PREVIEW_H_
