// A bounds-checked decoder for RLE Lossless frames (PS3.5 Annex G), used instead of DCMTK
// 3.6.7's, which reads out of bounds on malformed fragments (fixed in later DCMTK; found by
// this project's reader fuzz).
//
// Thread-safety: pure function.
#ifndef BOTM_CLIENT_DICOM_RLE_DECODER_H_
#define BOTM_CLIENT_DICOM_RLE_DECODER_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace botm::dicom {

// Decodes one frame's fragment into `pixels` samples of `bytes_per_sample` bytes (1 or 2) and
// `samples_per_pixel` samples (1 or 3). The result is colour-by-plane for 3 samples and, for
// 16 bits, little-endian words. InvalidArgument naming the defect for a bad header (segment
// count, offsets outside the fragment or out of order) or a segment that does not decode to
// exactly `pixels` bytes.
absl::StatusOr<std::vector<uint8_t>> DecodeRleFrame(absl::string_view fragment, size_t pixels,
                                                    int samples_per_pixel, int bytes_per_sample);

}  // namespace botm::dicom

#endif  // BOTM_CLIENT_DICOM_RLE_DECODER_H_
