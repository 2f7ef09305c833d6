// Architecture description of a BOTM network (torch-free): the encoder variant table and the
// options of the cross-frame block. A variant is data, not a code path.
#ifndef BOTM_CORE_MODEL_MODEL_CONFIG_H_
#define BOTM_CORE_MODEL_MODEL_CONFIG_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/common/classes.h"

namespace botm {

// One row of the MiT encoder table (MODEL.md, "Network"): per stage the channel width, the
// number of transformer blocks, the attention heads and the spatial reduction ratio R.
struct EncoderVariant {
  std::string name;
  std::array<int, 4> channels{};
  std::array<int, 4> depths{};
  std::array<int, 4> heads{};
  std::array<int, 4> reductions{};
};

// Returns "tiny" or "b2"; NotFound for any other name.
absl::StatusOr<EncoderVariant> VariantByName(absl::string_view name);

struct ModelConfig {
  std::string variant = "tiny";         // encoder table row
  int input_size = 128;                 // square model input in pixels (multiple of 32)
  int num_classes = kNumClasses;        // core/common/classes.h
  bool cross_frame = true;              // false = single-frame ablation, everything else identical
  std::vector<int> ot_stages = {2, 3};  // 0-based stages with token matching (stages 3 and 4)
  double ot_epsilon = 0.1;              // entropic regularisation of Sinkhorn
  int sinkhorn_iterations = 20;         // fixed, unrolled
  int max_ot_tokens = 256;              // larger stages are average-pooled to at most this many
  int decoder_dim = 128;                // SegFormer head width
  int decoder_stride = 4;       // 4: SegFormer head; 2: plus a stride-2 image stem and refinement
  bool importance_mask = true;  // false: BCTA keys are not weighted by z
  // Input policy (docs/MODEL_FORMAT.md). The defaults are the legacy policy of checkpoints
  // whose card does not name one; botm-train writes crop_sector = true, input_norm = "rank".
  bool crop_sector = false;         // crop each frame to its sector's bounding box
  std::string input_norm = "none";  // "none" | "rank" (in-sector histogram equalisation)
};

// Checks ranges (input size multiple of 32, stages 0..3 without duplicates, eps > 0, ...).
absl::Status ValidateModelConfig(const ModelConfig& config);

// Reads json[key] into *out when the key is present. Integers must be JSON integers in the
// range of the field's type (converting a float or an out-of-range number would be undefined
// behaviour: found by tests/fuzz/model_card_fuzz.cc), doubles any JSON number, booleans
// booleans, strings strings. InvalidArgument naming the key otherwise.
absl::Status ReadJsonField(const nlohmann::json& json, const char* key, int* out);
absl::Status ReadJsonField(const nlohmann::json& json, const char* key, int64_t* out);
absl::Status ReadJsonField(const nlohmann::json& json, const char* key, uint64_t* out);
absl::Status ReadJsonField(const nlohmann::json& json, const char* key, double* out);
absl::Status ReadJsonField(const nlohmann::json& json, const char* key, bool* out);
absl::Status ReadJsonField(const nlohmann::json& json, const char* key, std::string* out);
absl::Status ReadJsonField(const nlohmann::json& json, const char* key, std::vector<int>* out);
absl::Status ReadJsonField(const nlohmann::json& json, const char* key,
                           std::vector<std::string>* out);

nlohmann::json ToJson(const ModelConfig& config);
// Missing keys keep their defaults; wrong types or invalid values give InvalidArgument.
absl::StatusOr<ModelConfig> ModelConfigFromJson(const nlohmann::json& json);

}  // namespace botm

#endif  // BOTM_CORE_MODEL_MODEL_CONFIG_H_
