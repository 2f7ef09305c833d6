// C-STORE SCU: sends DICOM files to a PACS over one association that proposes exactly the SOP
// classes of the files (a SEG needs its own presentation context; DCMTK's storescu defaults
// lack it), each with the file's transfer syntax and Explicit/Implicit VR Little Endian.
//
// Thread-safety: thread-safe (one association per call).
#ifndef BOTM_CLIENT_DICOM_STORE_SCU_H_
#define BOTM_CLIENT_DICOM_STORE_SCU_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace botm::dicom {

struct StoreDestination {
  std::string called_ae;  // the PACS's AE title
  std::string host;
  int port = 104;
  std::string calling_ae = "BOTMDICOM";  // our AE title
  int timeout_s = 30;                    // connect, ACSE and DIMSE timeouts, seconds
  std::string ToString() const;          // "AE@HOST:PORT"
};

// Parses "AE@HOST:PORT" (AE 1-16 characters, port 1-65535). InvalidArgument otherwise.
absl::StatusOr<StoreDestination> ParseDestination(absl::string_view spec);

// Sends the files in one association. Unavailable when the peer cannot be reached or the
// association is rejected or lost (worth retrying); Unavailable also for the "Refused: Out of
// Resources" statuses (A7xx); FailedPrecondition when no presentation context was accepted
// for a file's SOP class or transfer syntax; Aborted naming the status for any other failure
// status; NotFound/InvalidArgument for an unreadable file. Warning statuses (Bxxx) count as
// stored.
absl::Status StoreFiles(const StoreDestination& destination, const std::vector<std::string>& files);

}  // namespace botm::dicom

#endif  // BOTM_CLIENT_DICOM_STORE_SCU_H_
