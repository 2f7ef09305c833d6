// Sinkhorn iteration count vs accuracy for a trained checkpoint (botm-model-bench
// --sinkhorn_sweep): how far fewer iterations move the transport plans and the masks from what
// the model was trained with.
//
// Frames: `clips` held-out synthetic clips of the "normal" bin (synth::HeldOutSeed), `frames`
// frames each, at frame_size_px; each frame t is matched with t-1 (live pairing).
// Per iteration count k (the checkpoint's own count is always added as the reference):
// - plan metrics on every matched stage, from the checkpoint's real encoder features: the
//   relative marginal error (MarginalError) and the L1 distance sum |T_k - T_ref| to the plan
//   of the reference count (plans have mass 1, so 0..2);
// - Sinkhorn time of one frame pair (cost + iterations of every matched stage), milliseconds;
// - masks: the production Segmenter (same pre- and post-processing as the server) loaded from a
//   copy of the model card with sinkhorn_iterations = k beside a link to the same weights, run
//   over each clip in stream mode; the share of pixels whose label differs from the reference
//   count's masks, and the Dice per foreground class against the generator's ground truth.
//
// Thread-safety: single-threaded; uses the current intra-op thread count.
#ifndef BOTM_CORE_MODEL_INTERNAL_SINKHORN_SWEEP_H_
#define BOTM_CORE_MODEL_INTERNAL_SINKHORN_SWEEP_H_

#include <array>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "core/model/segmenter.h"

namespace botm {
namespace internal {

struct SweepOptions {
  std::string model_path;       // checkpoint NAME.pt with NAME.json beside it
  std::vector<int> iterations;  // counts to compare, each >= 1
  int clips = 2;                // held-out clips
  int frames = 24;              // frames per clip, >= 2
  int frame_size_px = 256;      // square synthetic frames
  int timing_iters = 20;        // timed Sinkhorn runs per count
  Device device = Device::kCpu;
};

struct SweepRow {
  int iterations = 0;
  bool reference = false;                                  // the checkpoint's own count
  double marginal_error_max = 0, marginal_error_mean = 0;  // over pairs and matched stages
  double plan_l1_max = 0, plan_l1_mean = 0;                // vs the reference count's plans
  double sinkhorn_ms = 0;
  double label_changed_pct = 0;           // pixels whose label differs from the reference masks
  std::array<double, 3> dice_vs_truth{};  // lv_cavity, lv_myocardium, left_atrium; mean over frames
};

struct SweepResult {
  std::string model_path;
  int reference_iterations = 0;
  int pairs = 0;               // frame pairs matched (per stage)
  int frames = 0;              // frames segmented per count
  std::vector<SweepRow> rows;  // ascending iteration count
};

// InvalidArgument for bad options; the checkpoint's load errors as LoadCheckpoint /
// Segmenter::Create report them; Internal for temporary-file errors.
absl::StatusOr<SweepResult> RunSinkhornSweep(const SweepOptions& options);

nlohmann::json ToJson(const SweepResult& result);

}  // namespace internal
}  // namespace botm

#endif  // BOTM_CORE_MODEL_INTERNAL_SINKHORN_SWEEP_H_
