#include "core/model/model_config.h"

#include <set>

#include "absl/strings/str_cat.h"

namespace botm {

absl::StatusOr<EncoderVariant> VariantByName(absl::string_view name) {
  // Table of MODEL.md; "tiny" has MiT-B0 widths, "b2" is the paper's MiT-B2.
  if (name == "tiny") {
    return EncoderVariant{"tiny", {32, 64, 160, 256}, {2, 2, 2, 2}, {1, 2, 5, 8}, {8, 4, 2, 1}};
  }
  if (name == "b2") {
    return EncoderVariant{"b2", {64, 128, 256, 512}, {3, 4, 6, 3}, {1, 2, 4, 8}, {8, 4, 2, 1}};
  }
  return absl::NotFoundError(
      absl::StrCat("unknown encoder variant '", name, "' (known: tiny, b2)"));
}

absl::Status ValidateModelConfig(const ModelConfig& c) {
  auto variant = VariantByName(c.variant);
  if (!variant.ok()) return absl::InvalidArgumentError(variant.status().message());
  if (c.input_size < 32 || c.input_size % 32 != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("input_size must be a positive multiple of 32, got ", c.input_size));
  }
  if (c.num_classes < 2) return absl::InvalidArgumentError("num_classes must be >= 2");
  std::set<int> seen;
  for (int s : c.ot_stages) {
    if (s < 0 || s > 3 || !seen.insert(s).second) {
      return absl::InvalidArgumentError(absl::StrCat("bad or repeated ot stage ", s));
    }
  }
  if (!(c.ot_epsilon > 0.0)) return absl::InvalidArgumentError("ot_epsilon must be > 0");
  if (c.sinkhorn_iterations < 1) return absl::InvalidArgumentError("sinkhorn_iterations < 1");
  if (c.max_ot_tokens < 1) return absl::InvalidArgumentError("max_ot_tokens < 1");
  if (c.decoder_dim < 1) return absl::InvalidArgumentError("decoder_dim < 1");
  if (c.decoder_stride != 4 && c.decoder_stride != 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("decoder_stride must be 4 or 2, got ", c.decoder_stride));
  }
  if (c.input_norm != "none" && c.input_norm != "rank") {
    return absl::InvalidArgumentError(
        absl::StrCat("input_norm must be 'none' or 'rank', got '", c.input_norm, "'"));
  }
  return absl::OkStatus();
}

nlohmann::json ToJson(const ModelConfig& c) {
  return nlohmann::json{{"variant", c.variant},
                        {"input_size", c.input_size},
                        {"num_classes", c.num_classes},
                        {"cross_frame", c.cross_frame},
                        {"ot_stages", c.ot_stages},
                        {"ot_epsilon", c.ot_epsilon},
                        {"sinkhorn_iterations", c.sinkhorn_iterations},
                        {"max_ot_tokens", c.max_ot_tokens},
                        {"decoder_dim", c.decoder_dim},
                        {"decoder_stride", c.decoder_stride},
                        {"importance_mask", c.importance_mask},
                        {"crop_sector", c.crop_sector},
                        {"input_norm", c.input_norm}};
}

namespace {
template <typename T>
void ReadIf(const nlohmann::json& j, const char* key, T* out) {
  if (j.contains(key)) *out = j.at(key).get<T>();
}
}  // namespace

absl::StatusOr<ModelConfig> ModelConfigFromJson(const nlohmann::json& j) {
  if (!j.is_object()) return absl::InvalidArgumentError("model config must be a JSON object");
  ModelConfig c;
  try {
    ReadIf(j, "variant", &c.variant);
    ReadIf(j, "input_size", &c.input_size);
    ReadIf(j, "num_classes", &c.num_classes);
    ReadIf(j, "cross_frame", &c.cross_frame);
    ReadIf(j, "ot_stages", &c.ot_stages);
    ReadIf(j, "ot_epsilon", &c.ot_epsilon);
    ReadIf(j, "sinkhorn_iterations", &c.sinkhorn_iterations);
    ReadIf(j, "max_ot_tokens", &c.max_ot_tokens);
    ReadIf(j, "decoder_dim", &c.decoder_dim);
    ReadIf(j, "decoder_stride", &c.decoder_stride);
    ReadIf(j, "importance_mask", &c.importance_mask);
    ReadIf(j, "crop_sector", &c.crop_sector);
    ReadIf(j, "input_norm", &c.input_norm);
  } catch (const nlohmann::json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("model config: ", e.what()));
  }
  absl::Status valid = ValidateModelConfig(c);
  if (!valid.ok()) return valid;
  return c;
}

}  // namespace botm
