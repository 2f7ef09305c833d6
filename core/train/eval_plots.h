// Evaluation pictures written as PNG (internal to botm::eval): LV area curve predicted vs
// truth, ED/ES overlays (prediction | truth), and the stage-4 transport-plan matching picture.
#ifndef BOTM_CORE_TRAIN_EVAL_PLOTS_H_
#define BOTM_CORE_TRAIN_EVAL_PLOTS_H_

#include <string>

#include "absl/status/status.h"
#include "core/model/segmenter.h"
#include "core/train/eval_stats.h"

namespace botm::train {

// Writes <out_dir>/<clip.id>_lv_area.png and <clip.id>_overlay.png (ED and ES frames of the
// ground truth, prediction left, truth right). Internal when a file cannot be written.
absl::Status WriteClipPlots(const EvalClip& clip, const std::string& out_dir);

// Creates a Segmenter with return_transport_plan, segments frames (t, t+1) of the clip at the
// ED frame and writes <out_dir>/matching_<clip.id>.png.
absl::Status WriteMatchingPlot(SegmenterOptions options, const EvalClip& clip,
                               const std::string& out_dir);

}  // namespace botm::train

#endif  // BOTM_CORE_TRAIN_EVAL_PLOTS_H_
