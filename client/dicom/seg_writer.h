// Writes the model's label masks as a binary DICOM Segmentation (PS3.3 A.51): one segment per
// structure (LV cavity, LV myocardium, left atrium) with coded anatomy and algorithm
// identification, one frame per source frame and segment, each frame referencing its source
// frame (Derivation Image: SOP Instance UID + Referenced Frame Number). Ultrasound sources
// have no Frame of Reference, so the SEG has none either.
//
// DCMTK 3.6.7 work-arounds (docs/TOOLCHAIN): the Frame of Reference UID rule is relaxed to
// type 1C before writing, and Referenced Frame Number is inserted into each per-frame Source
// Image item after writing (ImageSOPInstanceReferenceMacro::setReferencedFrameNumber fails on
// its IS element in 3.6.7). DCMTK also forces Lossy Image Compression to "00"; for a lossy
// source it is set back to "01" with the source's method, as PS3.3 C.7.6.1.1.5 requires.
//
// Thread-safety: thread-safe.
#ifndef BOTM_CLIENT_DICOM_SEG_WRITER_H_
#define BOTM_CLIENT_DICOM_SEG_WRITER_H_

#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "absl/status/statusor.h"
#include "client/dicom/derived_object.h"
#include "client/dicom/us_clip.h"

namespace botm::dicom {

// Writes the SEG for `labels` (one CV_8UC1 mask of source.rows x source.columns per source
// frame, pixel value = class 1..3) to `path` (Explicit VR Little Endian). Patient and study
// attributes come from the source; the series and instance UIDs are new. InvalidArgument when
// the masks do not match the source; Internal when DCMTK refuses the object.
absl::StatusOr<DerivedObject> WriteSegmentation(const UltrasoundClip& source,
                                                const std::vector<cv::Mat>& labels,
                                                const AlgorithmIdentity& algorithm,
                                                const CreatorInfo& creator,
                                                const std::string& path);

// Reads the masks back from a SEG written by WriteSegmentation: per source frame, a label
// image with the segment number at each set pixel. Used by tests and by `botm-dicom info`.
absl::StatusOr<std::vector<cv::Mat>> ReadSegmentationLabels(const std::string& path);

}  // namespace botm::dicom

#endif  // BOTM_CLIENT_DICOM_SEG_WRITER_H_
