// The model card that travels beside every checkpoint (NAME.pt -> NAME.json): what the weights
// are, how they were trained, how well they did, and the sha256 of the weights file.
#ifndef BOTM_CORE_MODEL_MODEL_CARD_H_
#define BOTM_CORE_MODEL_MODEL_CARD_H_

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/model/model_config.h"
#include "core/model/partner.h"

namespace botm {

struct ModelCard {
  std::string name = "botm";  // "botm-single-frame" for the ablation
  std::string version;
  ModelConfig config;
  std::vector<std::string> class_names = {kClassNames.begin(), kClassNames.end()};
  std::string training_data;  // e.g. "synthetic echo generator v1, seeds 0..9999" or "untrained"
  std::string notes;
  std::string created_utc;  // ISO 8601
  uint64_t seed = 0;        // initialisation / training seed
  int64_t num_parameters = 0;
  nlohmann::json training;     // the run configuration
  nlohmann::json metrics;      // evaluation results
  std::string weights_sha256;  // hex sha256 of the NAME.pt bytes
  bool fp16_weights = false;   // weights stored as half, loaded as float
  // Live pairing (Segmenter::Pairing::kPrevious): frame t is decoded with frame t - K, K =
  // partner_offset (the first K frames with frame 0). Chosen by evaluation and written by
  // `botm-eval --pairing=previous --partner_offset=K --update_card` (docs/TRAINING.md, "The
  // partner frame"); 1 (adjacent frames) when the card does not say. In [1, kMaxPartnerOffset].
  int partner_offset = 1;
  // Live pairing in time: when > 0 and the stream's frame rate is known, K = round(interval x
  // fps / 1000) clamped to [1, kMaxPartnerOffset] (PartnerOffsetForInterval, partner.h), so a
  // 20 frames/s and an 80 frames/s stream get a partner the same fraction of the cycle back;
  // partner_offset is then the fallback for streams of unknown rate. 0 = frames only (cards
  // written before the field). In [0, kMaxPartnerIntervalMs]. Written by `botm-eval
  // --pairing=previous --partner_interval_ms=M --update_card`.
  int partner_interval_ms = 0;
};

nlohmann::json ToJson(const ModelCard& card);
// InvalidArgument on wrong types or an invalid config.
absl::StatusOr<ModelCard> ModelCardFromJson(const nlohmann::json& json);
inline absl::StatusOr<ModelCard> FromJson(const nlohmann::json& json) {
  return ModelCardFromJson(json);
}

// NotFound if the file is missing, InvalidArgument if it is not a valid card.
absl::StatusOr<ModelCard> ReadModelCard(const std::string& path);
// Writes pretty-printed JSON; Internal on an I/O error.
absl::Status WriteModelCard(const ModelCard& card, const std::string& path);

// "dir/NAME.pt" -> "dir/NAME.json" (the extension, if any, is replaced).
std::string ModelCardPathFor(const std::string& weights_path);

}  // namespace botm

#endif  // BOTM_CORE_MODEL_MODEL_CARD_H_
