// One-time DCMTK set-up for the DICOM library: registers the JPEG, JPEG-LS and RLE decoders
// (and the JPEG and RLE encoders that fixtures use), and lowers DCMTK's own log level so that
// its messages, which can quote attribute values, do not reach the logs.
//
// Thread-safety: InitDicom() is thread-safe and idempotent; call it before any DCMTK use.
#ifndef BOTM_CLIENT_DICOM_DICOM_INIT_H_
#define BOTM_CLIENT_DICOM_DICOM_INIT_H_

#include "absl/status/status.h"

namespace botm::dicom {

// Registers the codecs once. FailedPrecondition when DCMTK's data dictionary is not loaded
// (then no attribute can be read by name).
absl::Status InitDicom();

}  // namespace botm::dicom

#endif  // BOTM_CLIENT_DICOM_DICOM_INIT_H_
