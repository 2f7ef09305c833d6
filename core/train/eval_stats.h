// Per-bin accumulation of evaluation metrics (internal to botm::eval).
// Thread-compatible plain values.
#ifndef BOTM_CORE_TRAIN_EVAL_STATS_H_
#define BOTM_CORE_TRAIN_EVAL_STATS_H_

#include <array>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

namespace botm::train {

// One evaluated clip: frames, ground truth (labels[i] may be empty = not annotated), spacing,
// the reference EF (-1 unknown) and the prediction.
struct EvalClip {
  std::string id;
  std::vector<cv::Mat> images, labels, predicted;
  double spacing_mm_x = 1, spacing_mm_y = 1;
  double true_ef_pct = -1;
  double seconds = 0;    // inference wall time of the whole clip
  int ed = -1, es = -1;  // an annotated end-diastole / end-systole frame pair (-1 unknown)
  double fps = 0;        // frame rate (0 unknown: live pairing then falls back to frames)
};

// Foreground classes evaluated (index 0 = LV cavity, 1 = myocardium, 2 = LA).
inline constexpr int kEvalClasses = 3;
inline constexpr std::array<const char*, kEvalClasses> kEvalClassNames = {
    "lv_cavity", "lv_myocardium", "left_atrium"};

class BinStats {
 public:
  // Adds a clip: per annotated frame overlap and surface distances; EF errors when the clip has
  // >= 2 annotated frames; temporal consistency when every frame is annotated (>= 3 frames).
  void Add(const EvalClip& clip);
  // Merges another bin into this one (for the "all" row).
  void Merge(const BinStats& other);
  // {"clips", "frames", "dice": {class: mean}, "hd95_mm", "msd_mm", "ef": {...},
  //  "temporal": {...}, "robustness": {...}, "ms_per_frame"}. robustness: "heart_dice" (union of
  //  the three classes), "area_ratio_median" per class (predicted / true area over frames where
  //  the class is present; LV also at ED and ES alone), "lv_dice_min", "lv_dice_below_0_5" (share
  //  of frames), and "lv_area_change" (ED-to-ES relative LV area change in %: predicted and true
  //  means and the mean absolute difference in points, over clips with an annotated ED/ES pair;
  //  "worst": the kWorstChangeClips clips with the largest error, each with its id, predicted and
  //  true change, LV Dice and predicted / true LV area at ED and ES, so a mean carried by a few
  //  clips can be told from a bias over all of them).
  nlohmann::json ToJson() const;

  static constexpr int kWorstChangeClips = 3;

 private:
  void AddRobustness(const EvalClip& clip);

  // One clip's ED-to-ES measurement: the means, medians and the "worst" list come from these.
  struct ChangeCase {
    std::string id;
    double predicted = 0, truth = 0, error = 0;
    double lv_dice_ed = 0, lv_dice_es = 0, lv_ratio_ed = 0, lv_ratio_es = 0;
  };

  int clips_ = 0, frames_ = 0;
  double seconds_ = 0;
  std::array<std::vector<double>, kEvalClasses> dice_, hd95_, msd_;
  std::vector<double> ef_err_al_, ef_err_discs_, ef_err_gt_al_, ef_err_gt_discs_;
  std::vector<double> flagged_, flicker_, gt_flagged_, gt_flicker_, label_flicker_;
  std::array<std::vector<double>, kEvalClasses> area_ratio_;
  std::vector<double> heart_dice_;
  std::vector<ChangeCase> change_cases_;
};

}  // namespace botm::train

#endif  // BOTM_CORE_TRAIN_EVAL_STATS_H_
