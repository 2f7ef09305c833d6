// The service's answer for one ultrasound clip, mapped back to the source geometry: a label
// mask per source frame at full size (0 outside the tissue region), per-class areas, the
// cardiac phases and EF from the clip summary, and the model identity and timings.
//
// Thread-safety: a plain value.
#ifndef BOTM_CLIENT_DICOM_CLIP_SEGMENTATION_H_
#define BOTM_CLIENT_DICOM_CLIP_SEGMENTATION_H_

#include <array>
#include <vector>

#include <opencv2/core.hpp>

#include "client/dicom/derived_object.h"

namespace botm::dicom {

struct ClipSegmentation {
  std::vector<cv::Mat> labels;  // CV_8UC1, source rows x columns, classes 0..3
  // Per frame and class (index = label 0..3): pixels and mm^2 (0 without calibration).
  std::vector<std::array<double, 4>> area_px;
  std::vector<std::array<double, 4>> area_mm2;
  std::vector<float> uncertainty;
  std::vector<int> ed_frames;  // 0-based frame indices
  std::vector<int> es_frames;
  bool calibrated = false;
  bool has_ejection_fraction = false;
  double ejection_fraction_pct = 0;
  // The ED/ES pair the service's EF uses: the first ED, then the first ES after it (else the
  // last ES); -1 when there is none.
  int ef_ed_frame = -1;
  int ef_es_frame = -1;
  AlgorithmIdentity model;
  // The live partner offset K the service decoded with (frame t with t-K; 0 = not reported).
  int partner_offset = 0;
  double model_ms = 0;    // sum of the server's per-frame inference time, ms
  double service_ms = 0;  // wall time of the whole stream, ms
};

}  // namespace botm::dicom

#endif  // BOTM_CLIENT_DICOM_CLIP_SEGMENTATION_H_
