// The outputs of one segmented ultrasound object, written together into one folder: the SEG
// (always), the TID 1500 SR (when the source is calibrated and an ED/ES pair exists) and
// summary.json for non-DICOM consumers.
//
// Thread-safety: thread-safe (apart from the files written).
#ifndef BOTM_CLIENT_DICOM_RESULTS_H_
#define BOTM_CLIENT_DICOM_RESULTS_H_

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "client/dicom/clip_segmentation.h"
#include "client/dicom/derived_object.h"
#include "client/dicom/us_clip.h"

namespace botm::dicom {

// File names inside the results folder.
inline constexpr char kSegFile[] = "seg.dcm";
inline constexpr char kSrFile[] = "sr.dcm";
inline constexpr char kSummaryFile[] = "summary.json";

struct ResultSet {
  DerivedObject seg;
  std::optional<DerivedObject> sr;
  std::string sr_skipped_reason;  // set when sr is empty
  std::string summary_path;
  // The DICOM files to send, SEG first.
  std::vector<std::string> dicom_files() const;
};

// Writes seg.dcm, sr.dcm (when possible) and summary.json into `dir` (which must exist).
// Errors from the writers are returned unchanged.
absl::StatusOr<ResultSet> WriteResults(const UltrasoundClip& clip, const ClipSegmentation& result,
                                       const CreatorInfo& creator, const std::string& dir);

// The summary document: source UIDs (never patient name or ID), calibration and timing, model
// identity, per-frame areas and uncertainty, ED/ES and EF, the output SOP instances and the
// research-use marking.
nlohmann::json SummaryJson(const UltrasoundClip& clip, const ClipSegmentation& result,
                           const ResultSet& outputs);

// Reads back the file list of a results folder written by WriteResults (seg.dcm, then sr.dcm
// when present). NotFound when the folder has no seg.dcm.
absl::StatusOr<std::vector<std::string>> ResultFilesIn(const std::string& dir);

}  // namespace botm::dicom

#endif  // BOTM_CLIENT_DICOM_RESULTS_H_
