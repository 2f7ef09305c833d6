#include "core/model/model_config.h"

#include <climits>
#include <cstdint>
#include <set>
#include <utility>

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

absl::Status NotA(const char* key, const char* what) {
  return absl::InvalidArgumentError(absl::StrCat("'", key, "' must be ", what));
}

// An integer JSON value in [lo, hi].
absl::Status IntegerIn(const nlohmann::json& v, const char* key, int64_t lo, uint64_t hi,
                       int64_t* out_signed, uint64_t* out_unsigned) {
  if (v.is_number_unsigned()) {
    const uint64_t u = v.get<uint64_t>();
    if (u > hi) return NotA(key, "an integer in range");
    if (out_signed != nullptr) *out_signed = static_cast<int64_t>(u);
    if (out_unsigned != nullptr) *out_unsigned = u;
    return absl::OkStatus();
  }
  if (!v.is_number_integer()) return NotA(key, "an integer");
  const int64_t i = v.get<int64_t>();
  if (i < lo || (i > 0 && static_cast<uint64_t>(i) > hi)) return NotA(key, "an integer in range");
  if (out_signed != nullptr) *out_signed = i;
  if (out_unsigned != nullptr) *out_unsigned = static_cast<uint64_t>(i);
  return absl::OkStatus();
}

}  // namespace

absl::Status ReadJsonField(const nlohmann::json& j, const char* key, int* out) {
  if (!j.contains(key)) return absl::OkStatus();
  int64_t v = 0;
  absl::Status s = IntegerIn(j.at(key), key, INT32_MIN, INT32_MAX, &v, nullptr);
  if (s.ok()) *out = static_cast<int>(v);
  return s;
}

absl::Status ReadJsonField(const nlohmann::json& j, const char* key, int64_t* out) {
  if (!j.contains(key)) return absl::OkStatus();
  return IntegerIn(j.at(key), key, INT64_MIN, INT64_MAX, out, nullptr);
}

absl::Status ReadJsonField(const nlohmann::json& j, const char* key, uint64_t* out) {
  if (!j.contains(key)) return absl::OkStatus();
  return IntegerIn(j.at(key), key, 0, UINT64_MAX, nullptr, out);
}

absl::Status ReadJsonField(const nlohmann::json& j, const char* key, double* out) {
  if (!j.contains(key)) return absl::OkStatus();
  if (!j.at(key).is_number()) return NotA(key, "a number");
  *out = j.at(key).get<double>();
  return absl::OkStatus();
}

absl::Status ReadJsonField(const nlohmann::json& j, const char* key, bool* out) {
  if (!j.contains(key)) return absl::OkStatus();
  if (!j.at(key).is_boolean()) return NotA(key, "true or false");
  *out = j.at(key).get<bool>();
  return absl::OkStatus();
}

absl::Status ReadJsonField(const nlohmann::json& j, const char* key, std::string* out) {
  if (!j.contains(key)) return absl::OkStatus();
  if (!j.at(key).is_string()) return NotA(key, "a string");
  *out = j.at(key).get<std::string>();
  return absl::OkStatus();
}

absl::Status ReadJsonField(const nlohmann::json& j, const char* key, std::vector<int>* out) {
  if (!j.contains(key)) return absl::OkStatus();
  if (!j.at(key).is_array()) return NotA(key, "an array of integers");
  std::vector<int> values;
  for (const nlohmann::json& e : j.at(key)) {
    int64_t v = 0;
    if (absl::Status s = IntegerIn(e, key, INT32_MIN, INT32_MAX, &v, nullptr); !s.ok()) return s;
    values.push_back(static_cast<int>(v));
  }
  *out = std::move(values);
  return absl::OkStatus();
}

absl::Status ReadJsonField(const nlohmann::json& j, const char* key,
                           std::vector<std::string>* out) {
  if (!j.contains(key)) return absl::OkStatus();
  if (!j.at(key).is_array()) return NotA(key, "an array of strings");
  std::vector<std::string> values;
  for (const nlohmann::json& e : j.at(key)) {
    if (!e.is_string()) return NotA(key, "an array of strings");
    values.push_back(e.get<std::string>());
  }
  *out = std::move(values);
  return absl::OkStatus();
}

absl::StatusOr<ModelConfig> ModelConfigFromJson(const nlohmann::json& j) {
  if (!j.is_object()) return absl::InvalidArgumentError("model config must be a JSON object");
  ModelConfig c;
  for (absl::Status s :
       {ReadJsonField(j, "variant", &c.variant), ReadJsonField(j, "input_size", &c.input_size),
        ReadJsonField(j, "num_classes", &c.num_classes),
        ReadJsonField(j, "cross_frame", &c.cross_frame),
        ReadJsonField(j, "ot_stages", &c.ot_stages), ReadJsonField(j, "ot_epsilon", &c.ot_epsilon),
        ReadJsonField(j, "sinkhorn_iterations", &c.sinkhorn_iterations),
        ReadJsonField(j, "max_ot_tokens", &c.max_ot_tokens),
        ReadJsonField(j, "decoder_dim", &c.decoder_dim),
        ReadJsonField(j, "decoder_stride", &c.decoder_stride),
        ReadJsonField(j, "importance_mask", &c.importance_mask),
        ReadJsonField(j, "crop_sector", &c.crop_sector),
        ReadJsonField(j, "input_norm", &c.input_norm)}) {
    if (!s.ok()) return absl::InvalidArgumentError(absl::StrCat("model config: ", s.message()));
  }
  absl::Status valid = ValidateModelConfig(c);
  if (!valid.ok()) return valid;
  return c;
}

}  // namespace botm
