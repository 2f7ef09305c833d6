// Turns one decoded frame buffer into an owned OpenCV image (pixel_frames.cc): monochrome as
// CV_8UC1/CV_16UC1 (MONOCHROME1 inverted), colour as BGR from RGB, YBR_FULL or packed
// YBR_FULL_422, colour-by-pixel or colour-by-plane.
//
// Thread-safety: pure functions.
#ifndef BOTM_CLIENT_DICOM_INTERNAL_FRAME_CONVERT_H_
#define BOTM_CLIENT_DICOM_INTERNAL_FRAME_CONVERT_H_

#include <cstdint>
#include <string>

#include <opencv2/core.hpp>

#include "absl/status/statusor.h"
#include "client/dicom/pixel_frames.h"

namespace botm::dicom {

// `data` holds one frame as `colour_model` says ("RGB", "YBR_FULL", "YBR_FULL_422" packed as
// Y1 Y2 Cb Cr, or the monochrome format of `f`). Unimplemented for other colour models.
absl::StatusOr<cv::Mat> ToMat(const uint8_t* data, const PixelFormat& f,
                              const std::string& colour_model, bool by_plane);

}  // namespace botm::dicom

#endif  // BOTM_CLIENT_DICOM_INTERNAL_FRAME_CONVERT_H_
