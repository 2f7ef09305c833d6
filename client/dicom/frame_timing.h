// Frame timing of a multi-frame ultrasound object (PS3.3 C.7.6.5 Cine Module): Frame Time,
// Frame Time Vector or Cine Rate, as the Frame Increment Pointer names them.
//
// Thread-safety: pure function.
#ifndef BOTM_CLIENT_DICOM_FRAME_TIMING_H_
#define BOTM_CLIENT_DICOM_FRAME_TIMING_H_

#include <cstdint>
#include <string>
#include <vector>

class DcmItem;

namespace botm::dicom {

struct FrameTiming {
  std::vector<int64_t> timestamps_us;  // one per frame, the first is 0
  double frame_rate_hz = 0;            // 0 when unknown
  std::string source = "none";         // "FrameTime", "FrameTimeVector", "CineRate", "none"
};

// Reads the timing for `num_frames` frames. Tries the attribute the Frame Increment Pointer
// names first, then Frame Time (ms per frame), Frame Time Vector (ms since the previous frame,
// one value per frame) and Cine Rate (frames/s). Attributes with unusable values (not
// positive, wrong count) are skipped; without any, every timestamp is 0 and the source "none".
FrameTiming ReadFrameTiming(DcmItem& dataset, int num_frames);

}  // namespace botm::dicom

#endif  // BOTM_CLIENT_DICOM_FRAME_TIMING_H_
