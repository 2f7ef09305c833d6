// SHA-256 (FIPS 180-4) of byte strings and files, as lowercase hex. Used for the weights digest
// in model cards, which the server reports with every mask.
#ifndef BOTM_CORE_MODEL_SHA256_H_
#define BOTM_CORE_MODEL_SHA256_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace botm {

// Returns the 64-character lowercase hex digest of `bytes`.
std::string Sha256Hex(absl::string_view bytes);

// Streams the file in chunks; NotFound if it cannot be opened, DataLoss on a read error.
absl::StatusOr<std::string> Sha256OfFile(const std::string& path);

}  // namespace botm

#endif  // BOTM_CORE_MODEL_SHA256_H_
