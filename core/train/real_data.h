// Loaders for real echo data sets laid out as distributed: CAMUS (ED/ES frames of 2- and
// 4-chamber views, patientXXXX/patientXXXX_4CH_ED.nii.gz + _ED_gt.nii.gz, or the .mhd/.raw of
// the original release) and TED (full-cycle sequences with a mask per frame,
// patientXXXX/patientXXXX_4CH_sequence.nii.gz + _sequence_gt.nii.gz).
//
// Labels follow CAMUS: 0 background, 1 LV cavity, 2 LV myocardium, 3 left atrium.
// Thread-safety: the functions are pure; a LabeledClip is a plain value.
#ifndef BOTM_CORE_TRAIN_REAL_DATA_H_
#define BOTM_CORE_TRAIN_REAL_DATA_H_

#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "absl/status/statusor.h"

namespace botm::train {

// One clip with ground truth: every frame has an image, and labels[i] is either a CV_8UC1 map
// of the same size or empty (no annotation for that frame).
struct LabeledClip {
  std::string id;               // e.g. "patient0001_4CH" or "patient0001_4CH_sequence"
  std::vector<cv::Mat> images;  // CV_8UC1
  std::vector<cv::Mat> labels;  // CV_8UC1 or empty
  double spacing_mm_x = 1.0, spacing_mm_y = 1.0;  // of the stored images (after any resize)
  int ed = -1, es = -1;  // indices of the ED and ES frames in `images` (-1 unknown)
  double ef_pct = -1;    // reference EF when the data set gives one (-1 unknown)
  bool dense = false;    // true when every frame is annotated (TED)
};

struct RealDataOptions {
  // Views to load from CAMUS ("2CH", "4CH"); TED has 4CH only.
  std::vector<std::string> views = {"2CH", "4CH"};
  // Resizes every frame and mask to width x height (0 = keep the stored size); spacing is
  // scaled accordingly. Training uses the model input size; evaluation keeps the original.
  int resize_width_px = 0;
  int resize_height_px = 0;
  int max_clips = 0;  // 0 = all
};

// Finds CAMUS ED/ES pairs and TED sequences anywhere under `root` (recursive), in sorted path
// order. NotFound when none is found; the first unreadable file's status otherwise.
absl::StatusOr<std::vector<LabeledClip>> LoadEchoFolder(const std::string& root,
                                                        const RealDataOptions& options);

// Loads one CAMUS view: `prefix` is ".../patient0001/patient0001_4CH" ; reads _ED, _ED_gt,
// _ES, _ES_gt with extension `ext` (".nii.gz" or ".mhd") and Info_4CH.cfg if present.
absl::StatusOr<LabeledClip> LoadCamusView(const std::string& prefix, const std::string& ext,
                                          const RealDataOptions& options);

// Loads one TED sequence: `prefix` is ".../patient0001/patient0001_4CH" ; reads _sequence and
// _sequence_gt with extension `ext`. ED/ES are the frames of largest and smallest LV area.
absl::StatusOr<LabeledClip> LoadTedSequence(const std::string& prefix, const std::string& ext,
                                            const RealDataOptions& options);

}  // namespace botm::train

#endif  // BOTM_CORE_TRAIN_REAL_DATA_H_
