// Reads DICOM ultrasound cine loops (Ultrasound Multi-frame Image Storage and Ultrasound Image
// Storage) into an UltrasoundClip: decoded frames, frame timing, the tissue region and its mm
// calibration, and the source header that derived objects copy.
//
// Thread-safety: thread-safe (each call parses its own data set).
#ifndef BOTM_CLIENT_DICOM_US_READER_H_
#define BOTM_CLIENT_DICOM_US_READER_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "client/dicom/us_clip.h"

namespace botm::dicom {

struct ReaderOptions {
  // Largest file (or buffer) accepted, bytes.
  int64_t max_file_bytes = int64_t{2} << 30;
  // Largest Rows x Columns, pixels.
  int64_t max_frame_pixels = 4096 * 4096;
  // Most frames per object.
  int max_frames = 2000;
  // Largest decoded size of all frames together, bytes.
  int64_t max_decoded_bytes = int64_t{1} << 30;
};

// Reads a DICOM Part 10 file. Errors name the problem and never quote patient attributes:
// NotFound (no such file); InvalidArgument (not DICOM: no "DICM" preamble; a parse error such
// as a truncated file or a wrong VR; missing or inconsistent pixel attributes; sizes over the
// limits; no or truncated Pixel Data); Unimplemented (not an ultrasound image SOP class, an
// unsupported transfer syntax or photometric interpretation, a colour Doppler loop).
absl::StatusOr<UltrasoundClip> ReadUltrasoundFile(const std::string& path,
                                                  const ReaderOptions& options);

// Same as ReadUltrasoundFile for the bytes of a Part 10 file held in memory.
absl::StatusOr<UltrasoundClip> ReadUltrasoundBuffer(absl::string_view bytes,
                                                    const ReaderOptions& options);

}  // namespace botm::dicom

#endif  // BOTM_CLIENT_DICOM_US_READER_H_
