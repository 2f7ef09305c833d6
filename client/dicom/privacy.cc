#include "client/dicom/privacy.h"

#include <openssl/evp.h>

#include "absl/strings/escaping.h"

namespace botm::dicom {

std::string HashUid(absl::string_view uid) {
  if (uid.empty()) return "uid:none";
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(uid.data(), uid.size(), digest, &length, EVP_sha256(), nullptr);
  const std::string hex =
      absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), length));
  return "uid:" + hex.substr(0, 16);
}

}  // namespace botm::dicom
