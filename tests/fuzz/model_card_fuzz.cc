// libFuzzer target: the model-card reader (core/model/model_card.h: the JSON beside every
// checkpoint, which botm-server reads at start-up). Input: the card's bytes.
//
// Invariants: a card that reads is valid (its config validates, its class list matches the
// config) and survives a write-read round trip unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "core/model/model_card.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const nlohmann::json j = nlohmann::json::parse(data, data + size, nullptr, false);
  if (j.is_discarded()) return 0;
  absl::StatusOr<botm::ModelCard> card = botm::ModelCardFromJson(j);
  if (!card.ok()) {
    Check(card.status().code() == absl::StatusCode::kInvalidArgument);
    return 0;
  }
  Check(botm::ValidateModelConfig(card->config).ok());
  Check(static_cast<int>(card->class_names.size()) == card->config.num_classes);
  absl::StatusOr<botm::ModelCard> again = botm::ModelCardFromJson(botm::ToJson(*card));
  Check(again.ok());
  Check(botm::ToJson(*again) == botm::ToJson(*card));
  return 0;
}
