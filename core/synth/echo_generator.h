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

// Difficulty bins. kNormal is matched to the real-echo statistics in MODEL.md; kEasy ..
// kLowFrameRate stress one acquisition factor each. kRandomized is the domain-randomised
// training distribution (appearance, sector layout and anatomy drawn far wider than real echo,
// after SynthSeg: Billot et al., Medical Image Analysis 2023). The robustness bins (kShiftGain and
// later) are held out by design: each takes kRandomized and pushes one factor to or past the edge
// of the training distribution; they are for evaluation only (docs/SYNTH.md). Held-out seeds per
// bin: see HeldOutSeed().
enum class Difficulty {
  kNormal = 0,
  kEasy = 1,          // higher SNR, less clutter, no dropout
  kLowSnr = 2,        // strong electronic noise, weak tissue/blood contrast
  kMissingWall = 3,   // lateral wall dropout over a long segment
  kHeavyClutter = 4,  // near-field and cavity clutter, rib shadows
  kLowFrameRate = 5,  // 18-25 fps, so frame-to-frame motion is large
  kRandomized = 6,    // training: wide appearance, sector layout and anatomy randomisation
  // Robustness bins (evaluation only), each on top of kRandomized:
  kShiftGain = 7,         // display gamma 2.6-3.6 or 0.3-0.42, gain x0.55-0.75 or x1.4-1.9, TGC
  kBrightCavity = 8,      // blood within 4-14 display units of the myocardium and tissue
  kPaddedSector = 9,      // sector 35-50 % of the frame width, off centre, black padding
  kDilated = 10,          // spherical dilated ventricle filling the sector's length, EF 15-35
  kTruncatedAtrium = 11,  // long ventricle and a large atrium cut off by the sector's far edge
  kHeavyHaze = 12,        // dense reverberation haze and near-field clutter over the cavity
  kRealLike = 13,         // fine smooth speckle, soft borders, off-border specular lines,
                          // irregular chambers, a sector ~70 % of the frame width
};
inline constexpr int kNumDifficulties = 14;
// Bins a training run may sample (kNormal .. kRandomized); the rest are held out.
inline constexpr int kNumTrainingBins = 7;
// True for the evaluation-only robustness bins (kShiftGain and later).
inline bool IsRobustnessBin(Difficulty d) { return static_cast<int>(d) >= kNumTrainingBins; }
// True for kRandomized and the robustness bins (the domain-randomised family).
inline bool IsRandomizedFamily(Difficulty d) {
  return static_cast<int>(d) >= static_cast<int>(Difficulty::kRandomized);
}

// Returns "normal", "easy", "low_snr", "missing_wall", "heavy_clutter", "low_frame_rate",
// "randomized", "shift_gain", "bright_cavity", "padded_sector", "dilated", "truncated_atrium",
// "heavy_haze", "real_like".
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
  double ejection_fraction_pct = -1;  // 15..80
  double heart_rate_bpm = -1;         // 50..110
  double fps = -1;                    // 25..60 (18..25 for kLowFrameRate)
  // Revision of the heart sampler (1..kLatestAnatomyRevision). The default, 1, is the sampler
  // every shipped model was trained on and the committed held-out reports were drawn with; a
  // seed gives the same clip under it forever. 2 keeps the wall plausible: the lateral wall is
  // at most kMaxWallToCavityHalfWidth times the cavity's end-diastolic half-width, also while a
  // heart is shrunk to fit the sector (under 1 only the cavity shrank, which left slit cavities
  // inside walls up to 14 times their area; docs/SYNTH.md).
  // Revision 2 draws the same random numbers, so a seed keeps its view, sector, motion and
  // appearance; only hearts that hit the cap or the fitting loop change.
  int anatomy_revision = 1;
  // Burns scanner annotations into the frames outside the sector (text, a grey-scale bar, depth
  // ticks, an orientation marker, a sweeping ECG; core/synth/annotations.h), from a random
  // stream of their own: the sector's pixels and the labels are those of the clean clip.
  bool annotations = false;
  // With annotations: the marks beside the sector (depth ticks, the ECG where the sector reaches
  // the bottom) abut its edge instead of keeping the usual gap of 2-5 % of the width
  // (SampleAnnotations' `touching`); the rest of the layout is the same.
  bool annotations_touching = false;
  // Exports the clip as a scanner's colour DICOM does (core/synth/annotations.h, ColourExport):
  // CV_8UC3 BGR frames, the sector through a grey or tinted display map, a coloured ECG trace
  // across the sector's far field and coloured calipers inside it, from a random stream of
  // their own; labels are those of the clean clip. With annotations, their grey ECG gives way
  // to the coloured one.
  bool colour = false;
  // 0: frames as rendered (lossless). kMinJpegQuality..kMaxJpegQuality (core/synth/
  // lossy_export.h): every frame is stored and read back as baseline JPEG at this quality, as a
  // scanner's lossy DICOM or a compressed video export carries it (blocking, ringing at the
  // sector's rim, faint values in the padding); applied last, after annotations and colour.
  // Labels are those of the clean clip.
  int jpeg_quality = 0;
};
inline constexpr int kLatestAnatomyRevision = 2;
// Revision 2's cap on lateral wall thickness / cavity half-width at end-diastole. 1.2 puts the
// end-diastolic myocardium-to-cavity area ratio near 2, a severely hypertrophied ventricle.
inline constexpr double kMaxWallToCavityHalfWidth = 1.2;

// Clip-level facts, fixed at Create().
struct ClipInfo {
  uint64_t seed = 0;
  Difficulty difficulty = Difficulty::kNormal;
  int anatomy_revision = 1;           // ClipOptions::anatomy_revision
  bool annotations = false;           // ClipOptions::annotations
  bool annotations_touching = false;  // ClipOptions::annotations_touching
  bool colour = false;                // ClipOptions::colour
  int jpeg_quality = 0;               // ClipOptions::jpeg_quality
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
  // Pixel bounding box of the sector in the image (the whole image unless the bin pads it) and
  // the share of the image width the sector spans.
  cv::Rect sector_box;
  double sector_width_fraction = 1.0;
  cv::Mat sector_mask;         // CV_8UC1, 255 inside the sector (shared by copies of this ClipInfo)
  std::vector<int> ed_frames;  // end-diastole frame indices (volume maxima)
  std::vector<int> es_frames;  // end-systole frame indices (volume minima)
  std::vector<double> lv_volume_ml;  // true LV volume per frame (the model of the cycle)
};

struct Frame {
  cv::Mat image;   // CV_8UC1 (CV_8UC3 BGR with ClipOptions::colour), height x width, display
                   // values after log compression
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
