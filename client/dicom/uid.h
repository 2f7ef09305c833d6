// New DICOM UIDs without a registered root: "2.25." followed by a random 128-bit UUID as a
// decimal number (PS3.5 B.2, ISO/IEC 9834-8).
//
// Thread-safety: thread-safe.
#ifndef BOTM_CLIENT_DICOM_UID_H_
#define BOTM_CLIENT_DICOM_UID_H_

#include <cstdint>
#include <string>

namespace botm::dicom {

// Returns a new UID (at most 44 characters) from std::random_device.
std::string NewUid();

// Returns "2.25." + the decimal value of the 128-bit number high:low (for tests).
std::string UidFromUuid(uint64_t high, uint64_t low);

}  // namespace botm::dicom

#endif  // BOTM_CLIENT_DICOM_UID_H_
