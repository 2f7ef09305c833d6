// Deterministic synthetic echocardiography (apical 2- and 4-chamber-like B-mode cine loops)
// with analytic ground truth. The only data source for training, tests and the demo.
//
// Determinism: a ClipOptions value (seed included) gives byte-identical frames and labels on
// every machine. The generator uses its own PRNG (core/synth/prng.h) and no std::
// distributions, no time, no global state.
//
// Thread-safety: an EchoGenerator is immutable after Create(); Render() is const and may be
// called from several threads at once.
#ifndef BOTM_CORE_SYNTH_ECHO_GENERATOR_H_
#define BOTM_CORE_SYNTH_ECHO_GENERATOR_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/common/classes.h"

namespace botm::synth {

// Difficulty bins. kNormal is matched to the real-echo statistics in MODEL.md; the others stress
// one factor each. Held-out seeds per bin: see HeldOutSeed().
enum class Difficulty {
  kNormal = 0,
  kEasy = 1,          // higher SNR, less clutter, no dropout
  kLowSnr = 2,        // strong electronic noise, weak tissue/blood contrast
  kMissingWall = 3,   // lateral wall dropout over a long segment
  kHeavyClutter = 4,  // near-field and cavity clutter, rib shadows
  kLowFrameRate = 5,  // 18-25 fps, so frame-to-frame motion is large
};
inline constexpr int kNumDifficulties = 6;

// Returns "normal", "easy", "low_snr", "missing_wall", "heavy_clutter", "low_frame_rate".
std::string DifficultyName(Difficulty d);
// Parses the names above; InvalidArgument naming the bad value otherwise.
absl::StatusOr<Difficulty> ParseDifficulty(absl::string_view name);

enum class View { kAuto = 0, kTwoChamber = 1, kFourChamber = 2 };

// Label values in every mask: the project's classes (core/common/classes.h, CAMUS labelling).
enum Label : uint8_t { kBackground = 0, kLvCavity = 1, kLvMyocardium = 2, kLeftAtrium = 3 };
inline constexpr int kNumClasses = botm::kNumClasses;

struct ClipOptions {
  uint64_t seed = 1;
  // Output image size in pixels.
  int width = 128;
  int height = 128;
  // Number of frames; 0 = as many as the sampled heart rate, fps and cycle count give.
  int num_frames = 0;
  Difficulty difficulty = Difficulty::kNormal;
  View view = View::kAuto;  // kAuto: drawn from the seed (both views occur)
  // Overrides (<= 0: drawn from the seed within the ranges of MODEL.md).
  double ejection_fraction_pct = -1;  // 20..75
  double heart_rate_bpm = -1;         // 50..110
  double fps = -1;                    // 25..60 (18..25 for kLowFrameRate)
};

// Clip-level facts, fixed at Create().
struct ClipInfo {
  uint64_t seed = 0;
  Difficulty difficulty = Difficulty::kNormal;
  View view = View::kFourChamber;
  int width = 0, height = 0;
  int num_frames = 0;
  double fps = 0;
  double heart_rate_bpm = 0;
  double ejection_fraction_pct = 0;  // true EF of the LV volume curve
  double sector_angle_deg = 0;
  double depth_cm = 0;
  double spacing_mm_x = 0;  // physical size of one output pixel
  double spacing_mm_y = 0;
  std::vector<int> ed_frames;        // end-diastole frame indices (volume maxima)
  std::vector<int> es_frames;        // end-systole frame indices (volume minima)
  std::vector<double> lv_volume_ml;  // true LV volume per frame (the model of the cycle)
};

struct Frame {
  cv::Mat image;   // CV_8UC1, height x width, display values after log compression
  cv::Mat labels;  // CV_8UC1, values in Label
};

class EchoGenerator {
 public:
  // Validates options (sizes 32..2048, num_frames 0..2000, overrides in range) and samples the
  // clip's anatomy, motion and acquisition from the seed. InvalidArgument on bad options.
  static absl::StatusOr<std::unique_ptr<EchoGenerator>> Create(const ClipOptions& options);
  virtual ~EchoGenerator() = default;

  virtual const ClipInfo& info() const = 0;
  // Renders frame t (0 <= t < info().num_frames); any order, any thread, same result.
  virtual Frame Render(int t) const = 0;
  // Renders all frames in order.
  std::vector<Frame> RenderAll() const;
};

// A deterministic held-out seed for evaluation: index i of bin d. Training draws seeds below
// kFirstHeldOutSeed, so these are never seen in training.
inline constexpr uint64_t kFirstHeldOutSeed = 1'000'000'000ULL;
uint64_t HeldOutSeed(Difficulty d, int i);

}  // namespace botm::synth

#endif  // BOTM_CORE_SYNTH_ECHO_GENERATOR_H_
