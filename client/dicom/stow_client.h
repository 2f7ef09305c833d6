// DICOMweb STOW-RS client (PS3.18 10.5): POSTs DICOM files as one multipart/related request
// to {base_url}/studies, as newer PACS and viewers (OHIF) expect.
//
// Thread-safety: thread-safe (one libcurl easy handle per call; curl_global_init runs once).
#ifndef BOTM_CLIENT_DICOM_STOW_CLIENT_H_
#define BOTM_CLIENT_DICOM_STOW_CLIENT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace botm::dicom {

struct StowOptions {
  // DICOMweb root, e.g. "http://127.0.0.1:8042/dicom-web" (https works with the system CAs).
  std::string base_url;
  // Whole request timeout, milliseconds.
  int64_t timeout_ms = 60000;
  // Optional "Authorization: Bearer ..." token.
  std::string bearer_token;
};

// Sends the files. Unavailable for connection failures and HTTP 5xx/429 (worth retrying);
// Aborted for other HTTP errors or a response listing failed instances (Failed SOP Sequence);
// NotFound for an unreadable file.
absl::Status StowFiles(const StowOptions& options, const std::vector<std::string>& files);

}  // namespace botm::dicom

#endif  // BOTM_CLIENT_DICOM_STOW_CLIENT_H_
