// The Sequence of Ultrasound Regions (PS3.3 C.8.5.5): picks the 2D tissue region that holds
// the heart, its bounds (for cropping the sector) and its physical calibration.
//
// Thread-safety: pure functions.
#ifndef BOTM_CLIENT_DICOM_US_REGIONS_H_
#define BOTM_CLIENT_DICOM_US_REGIONS_H_

#include <opencv2/core.hpp>

#include "absl/status/statusor.h"
#include "client/dicom/us_clip.h"

class DcmItem;

namespace botm::dicom {

struct TissueRegion {
  bool has_region = false;  // false: no Sequence of Ultrasound Regions (whole image used)
  cv::Rect rect;            // clipped to the image
  Calibration calibration;  // zero unless both physical units are cm (code 3)
};

// Reads the regions of `dataset` for an image of `rows` x `columns`. Without the sequence,
// returns the whole image and no calibration. Picks the largest region whose Region Spatial
// Format is 2D (1) and Region Data Type is Tissue (1). Errors: Unimplemented for a colour
// Doppler loop (any Color Flow region, data type 2) or for regions without a 2D tissue one
// (M-mode or spectral Doppler only); InvalidArgument for a tissue region with bounds outside
// the image or min > max.
absl::StatusOr<TissueRegion> ReadTissueRegion(DcmItem& dataset, int rows, int columns);

}  // namespace botm::dicom

#endif  // BOTM_CLIENT_DICOM_US_REGIONS_H_
