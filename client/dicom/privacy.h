// Log-safe identifiers: logs name DICOM objects by a hash of their UID, never by the UID itself
// (UIDs can be traced back to a patient) and never by patient attributes.
//
// Thread-safety: thread-safe.
#ifndef BOTM_CLIENT_DICOM_PRIVACY_H_
#define BOTM_CLIENT_DICOM_PRIVACY_H_

#include <string>

#include "absl/strings/string_view.h"

namespace botm::dicom {

// Returns "uid:" + the first 16 hex digits of SHA-256(uid); "uid:none" for an empty UID.
std::string HashUid(absl::string_view uid);

}  // namespace botm::dicom

#endif  // BOTM_CLIENT_DICOM_PRIVACY_H_
