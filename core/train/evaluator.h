// Evaluation of a BOTM checkpoint through the torch-free botm::Segmenter in clip mode (frame t
// paired with t + 1; live and self pairing on request), on held-out synthetic clips per
// difficulty bin or on a CAMUS/TED folder.
//
// Per bin it reports: per class Dice, HD95 and MSD in mm (with each clip's pixel spacing),
// whole-heart Dice, per class median predicted/true area ratio, the ED-to-ES LV area change
// against the truth, the worst LV Dice,
// single-plane EF absolute error (area-length and discs) against the true EF (synthetic: the
// generator's volume curve; real: the data set's EF when given) and against the EF measured
// the same way on the ground-truth masks, temporal consistency of the predicted LV area curve
// (share of flagged frames, flicker; the ground truth's own values for reference), label
// flicker and ms/frame. Writes report.json, report.md and PNG plots into out_dir.
// Thread-safety: Evaluate() is a blocking call; run one at a time per process.
#ifndef BOTM_CORE_TRAIN_EVALUATOR_H_
#define BOTM_CORE_TRAIN_EVALUATOR_H_

#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "absl/status/statusor.h"
#include "core/model/segmenter.h"
#include "core/synth/echo_generator.h"

namespace botm::train {

// Which partner frame each frame is decoded with.
enum class EvalPairing {
  kNext,      // clip mode: t with t+1, the last frame with t-1 (the default)
  kPrevious,  // live stream: t with t-1, the first frame with itself
  kSelf,      // every frame with itself: no temporal information (a diagnostic for BOTM)
};
absl::StatusOr<EvalPairing> ParseEvalPairing(const std::string& name);  // next|previous|self

struct EvalOptions {
  std::string model_path;          // empty = the shipped default model
  std::string data = "synthetic";  // "synthetic" or a CAMUS/TED folder
  std::vector<synth::Difficulty> bins = {
      synth::Difficulty::kNormal, synth::Difficulty::kLowSnr, synth::Difficulty::kMissingWall,
      synth::Difficulty::kHeavyClutter, synth::Difficulty::kLowFrameRate};
  int clips_per_bin = 6;  // held-out seeds synth::HeldOutSeed(bin, 0..n-1)
  // Synthetic frame size of the standard bins; 0 = the model's input size.
  int size_px = 0;
  // Frame size of the randomised family (robustness bins), rendered like a scanner export and
  // resized by the Segmenter; 0 = twice the model's input size.
  int robust_size_px = 0;
  // When > 0, every synthetic frame is rendered as above and then exported at export_size_px x
  // export_size_px, as a low-resolution video file (an EchoNet-style 112x112 AVI): the image
  // area-averaged and kept 8-bit, the truth downsampled by majority vote, the pixel spacing
  // scaled; the Segmenter then brings the frames back to its input size, and every metric is
  // taken at the export resolution (as real tracings of such videos are).
  int export_size_px = 0;
  // synth::ClipOptions::anatomy_revision of the held-out clips (1 = the committed reports';
  // another revision re-draws the thick-walled hearts, so its report names it in "data").
  int anatomy_revision = 1;
  // synth::ClipOptions::annotations: scanner marks burned in outside the sector (text, grey
  // bar, ticks, marker, ECG), the truth unchanged; the report names them in "data".
  bool annotations = false;
  // synth::ClipOptions::annotations_touching: with annotations, the marks beside the sector
  // abut its edge (no gap); "data" names it.
  bool annotations_touching = false;
  // synth::ClipOptions::colour: colour exports (BGR frames, a grey or tinted display map, a
  // coloured ECG across the sector's far field, coloured calipers inside it); "data" names it.
  bool colour = false;
  // Diagnostic: colour frames are turned to plain luminance before the Segmenter sees them, as
  // the input policy did before it left colour overlays out (preprocess.h, ToGray01).
  bool colour_as_luminance = false;
  // synth::ClipOptions::jpeg_quality: every frame stored and read back as baseline JPEG at this
  // quality (0 = lossless; 1..100), as lossy DICOM and video exports carry them. With
  // export_size_px the frames are compressed after the export's resize (a 112 px video is
  // compressed at 112 px); "data" names it.
  int jpeg_quality = 0;
  int max_frames = 48;  // frames per clip (0 = whole clip)
  int max_clips = 0;    // folder: 0 = all
  Device device = Device::kAuto;
  int threads = 0;      // 0 = all cores
  int batch_size = 4;   // pairs per Decode batch
  std::string out_dir;  // empty = no files written
  EvalPairing pairing = EvalPairing::kNext;
  // kPrevious: frame t with t - K, K = partner_offset (0 = the model card's; docs/TRAINING.md,
  // "The partner frame"). Above 1 with kNext or kSelf is InvalidArgument.
  int partner_offset = 0;
  // kPrevious: the partner in time instead, frame t with t - K, K = round(ms x fps / 1000) from
  // each clip's frame rate (0 = the card's partner_interval_ms; a clip of unknown rate, e.g. a
  // CAMUS/TED folder, falls back to frames). Exclusive with partner_offset > 0, in [0,
  // kMaxPartnerIntervalMs]; above 0 with kNext or kSelf is InvalidArgument.
  int partner_interval_ms = 0;
  int example_plots = 1;      // clips per bin with area-curve and overlay PNGs
  bool matching_plot = true;  // stage-4 transport plan picture (cross-frame models)
  bool progress = true;
};

// Runs the evaluation; returns the JSON report (also written to out_dir/report.json with the
// Markdown table in out_dir/report.md). Errors: the Segmenter's (bad checkpoint), the data
// loaders' (NotFound folder), Internal for unwritable output.
absl::StatusOr<nlohmann::json> Evaluate(const EvalOptions& options);

// Renders the report's per-bin table as Markdown (one row per bin, then "all").
std::string MarkdownReport(const nlohmann::json& report);

// Majority-vote downsampling of a CV_8UC1 label map to `size`: each class's indicator is
// area-averaged and every output pixel takes the class with the largest share (ties go to the
// lower class). Used for exported (low-resolution) evaluation clips.
cv::Mat DownsampleLabels(const cv::Mat& labels, cv::Size size);

// Checks that `actual` reproduces `expected` (e.g. a committed report): same weights (sha256),
// same data description and pairing, and for every bin of `actual` (and "all" when both hold
// the same bins) every numeric metric within `tolerance` (absolute, scaled by max(1, |expected|));
// timings (ms_per_frame) are not compared. Returns FailedPrecondition naming every mismatch,
// InvalidArgument when a bin of `actual` is missing from `expected` or tolerance < 0.
absl::Status CompareReports(const nlohmann::json& expected, const nlohmann::json& actual,
                            double tolerance);

}  // namespace botm::train

#endif  // BOTM_CORE_TRAIN_EVALUATOR_H_
