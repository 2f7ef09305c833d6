// Writes the measurement report (PS3.16 TID 1500 Measurement Report, Enhanced SR) of one
// clip: LV cavity area at end-diastole and at end-systole (TID 1501 groups, each measurement
// referencing its source frame) and the single-plane area-length LV ejection fraction with its
// method, with the model identity (device observer: name, version, weights sha256 as its serial
// number; a comment repeats it) and the
// research-use marking. Written only when the source is calibrated and an ED/ES pair exists.
//
// Thread-safety: thread-safe.
#ifndef BOTM_CLIENT_DICOM_SR_WRITER_H_
#define BOTM_CLIENT_DICOM_SR_WRITER_H_

#include <string>

#include "absl/status/statusor.h"
#include "client/dicom/clip_segmentation.h"
#include "client/dicom/derived_object.h"
#include "client/dicom/us_clip.h"

namespace botm::dicom {

// Returns true when a report can be written (calibrated source, EF and its ED/ES frames known).
bool CanWriteMeasurementReport(const ClipSegmentation& result);

// Writes the report to `path`. FailedPrecondition when CanWriteMeasurementReport is false;
// Internal when DCMTK rejects the document.
absl::StatusOr<DerivedObject> WriteMeasurementReport(const UltrasoundClip& source,
                                                     const ClipSegmentation& result,
                                                     const CreatorInfo& creator,
                                                     const std::string& path);

}  // namespace botm::dicom

#endif  // BOTM_CLIENT_DICOM_SR_WRITER_H_
