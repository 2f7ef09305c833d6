#include "core/model/model_card.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace botm {

nlohmann::json ToJson(const ModelCard& c) {
  return nlohmann::json{{"name", c.name},
                        {"version", c.version},
                        {"config", ToJson(c.config)},
                        {"class_names", c.class_names},
                        {"training_data", c.training_data},
                        {"notes", c.notes},
                        {"created_utc", c.created_utc},
                        {"seed", c.seed},
                        {"num_parameters", c.num_parameters},
                        {"training", c.training},
                        {"metrics", c.metrics},
                        {"weights_sha256", c.weights_sha256},
                        {"fp16_weights", c.fp16_weights},
                        {"partner_offset", c.partner_offset},
                        {"partner_interval_ms", c.partner_interval_ms}};
}

absl::StatusOr<ModelCard> ModelCardFromJson(const nlohmann::json& j) {
  if (!j.is_object()) return absl::InvalidArgumentError("model card must be a JSON object");
  ModelCard c;
  for (absl::Status s :
       {ReadJsonField(j, "name", &c.name), ReadJsonField(j, "version", &c.version),
        ReadJsonField(j, "class_names", &c.class_names),
        ReadJsonField(j, "training_data", &c.training_data), ReadJsonField(j, "notes", &c.notes),
        ReadJsonField(j, "created_utc", &c.created_utc), ReadJsonField(j, "seed", &c.seed),
        ReadJsonField(j, "num_parameters", &c.num_parameters),
        ReadJsonField(j, "weights_sha256", &c.weights_sha256),
        ReadJsonField(j, "fp16_weights", &c.fp16_weights),
        ReadJsonField(j, "partner_offset", &c.partner_offset),
        ReadJsonField(j, "partner_interval_ms", &c.partner_interval_ms)}) {
    if (!s.ok()) return absl::InvalidArgumentError(absl::StrCat("model card: ", s.message()));
  }
  if (c.partner_offset < 1 || c.partner_offset > kMaxPartnerOffset) {
    return absl::InvalidArgumentError(absl::StrCat("model card: partner_offset must be in [1, ",
                                                   kMaxPartnerOffset, "], got ", c.partner_offset));
  }
  if (c.partner_interval_ms < 0 || c.partner_interval_ms > kMaxPartnerIntervalMs) {
    return absl::InvalidArgumentError(
        absl::StrCat("model card: partner_interval_ms must be in [0, ", kMaxPartnerIntervalMs,
                     "], got ", c.partner_interval_ms));
  }
  if (j.contains("training")) c.training = j.at("training");
  if (j.contains("metrics")) c.metrics = j.at("metrics");
  if (!j.contains("config")) return absl::InvalidArgumentError("model card has no 'config'");
  absl::StatusOr<ModelConfig> config = ModelConfigFromJson(j.at("config"));
  if (!config.ok()) return config.status();
  c.config = *config;
  if (static_cast<int>(c.class_names.size()) != c.config.num_classes) {
    return absl::InvalidArgumentError("model card: class_names size != config.num_classes");
  }
  return c;
}

absl::StatusOr<ModelCard> ReadModelCard(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("model card not found: ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  nlohmann::json j = nlohmann::json::parse(ss.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return absl::InvalidArgumentError(absl::StrCat("bad JSON in ", path));
  absl::StatusOr<ModelCard> card = ModelCardFromJson(j);
  if (!card.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", card.status().message()));
  }
  return card;
}

absl::Status WriteModelCard(const ModelCard& card, const std::string& path) {
  std::ofstream out(path, std::ios::trunc);
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  out << ToJson(card).dump(2) << "\n";
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("write failed: ", path));
  return absl::OkStatus();
}

std::string ModelCardPathFor(const std::string& weights_path) {
  const size_t slash = weights_path.find_last_of('/');
  const size_t dot = weights_path.find_last_of('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) {
    return weights_path + ".json";
  }
  return weights_path.substr(0, dot) + ".json";
}

}  // namespace botm
