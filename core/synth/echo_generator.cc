#include "core/synth/echo_generator.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/synth/acquisition.h"
#include "core/synth/anatomy.h"
#include "core/synth/annotations.h"
#include "core/synth/cardiac_cycle.h"
#include "core/synth/echo_renderer.h"
#include "core/synth/lossy_export.h"
#include "core/synth/prng.h"
#include "core/synth/randomization.h"

namespace botm::synth {
namespace {

constexpr double kPi = 3.14159265358979323846;

class EchoGeneratorImpl : public EchoGenerator {
 public:
  EchoGeneratorImpl(ClipInfo info, const AnatomyParams& anatomy, const CycleShape& cycle,
                    double phase0, const SectorGeometry& sector, const AcquisitionParams& acq,
                    uint64_t render_seed)
      : info_(std::move(info)),
        anatomy_(anatomy),
        cycle_(cycle),
        phase0_(phase0),
        renderer_(sector, acq, render_seed) {
    info_.sector_box = renderer_.sector_box();
    info_.sector_mask = renderer_.sector_mask();
    info_.sector_width_fraction = 2 * sector.depth_cm * std::sin(sector.half_angle_rad) /
                                  (renderer_.spacing_x_cm() * info_.width);
  }

  const ClipInfo& info() const override { return info_; }

  Frame Render(int t) const override {
    t = std::clamp(t, 0, std::max(0, info_.num_frames - 1));
    const double time_s = t / info_.fps;
    const double phase = Phase(time_s);
    const HeartState heart =
        PoseHeart(anatomy_, VolumeFraction(cycle_, phase), MitralOpening(cycle_, phase));
    Frame frame = renderer_.Render(heart, time_s, t);
    if (annotations_) DrawAnnotations(*annotations_, t, info_.fps, &frame.image);
    if (colour_) DrawColourExport(*colour_, info_.sector_mask, t, info_.fps, &frame.image);
    if (info_.jpeg_quality > 0) frame.image = JpegRoundTrip(frame.image, info_.jpeg_quality);
    return frame;
  }

  void set_annotations(AnnotationLayout layout) {
    annotations_ = std::make_unique<const AnnotationLayout>(std::move(layout));
  }
  void set_colour(ColourExport colour) { colour_ = std::make_unique<const ColourExport>(colour); }

  double Phase(double time_s) const { return phase0_ + time_s * info_.heart_rate_bpm / 60.0; }
  const AnatomyParams& anatomy() const { return anatomy_; }
  const CycleShape& cycle() const { return cycle_; }

 private:
  ClipInfo info_;
  AnatomyParams anatomy_;
  CycleShape cycle_;
  double phase0_;
  EchoRenderer renderer_;
  std::unique_ptr<const AnnotationLayout> annotations_;  // null: a clean clip
  std::unique_ptr<const ColourExport> colour_;           // null: a grey clip
};

absl::Status CheckRange(const char* name, double value, double lo, double hi) {
  if (value <= 0) return absl::OkStatus();  // drawn from the seed
  if (value < lo || value > hi) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, " = ", value, " is outside [", lo, ", ", hi, "] (or <= 0 to draw it)"));
  }
  return absl::OkStatus();
}

absl::Status Validate(const ClipOptions& o) {
  if (o.width < 32 || o.width > 2048 || o.height < 32 || o.height > 2048) {
    return absl::InvalidArgumentError(
        absl::StrCat("image size ", o.width, "x", o.height, " is outside 32..2048"));
  }
  if (o.num_frames < 0 || o.num_frames > 2000) {
    return absl::InvalidArgumentError(
        absl::StrCat("num_frames = ", o.num_frames, " is outside 0..2000"));
  }
  const int d = static_cast<int>(o.difficulty);
  if (d < 0 || d >= kNumDifficulties) {
    return absl::InvalidArgumentError(absl::StrCat("unknown difficulty ", d));
  }
  const int v = static_cast<int>(o.view);
  if (v < 0 || v > 2) return absl::InvalidArgumentError(absl::StrCat("unknown view ", v));
  if (auto s = CheckRange("ejection_fraction_pct", o.ejection_fraction_pct, 15, 80); !s.ok()) {
    return s;
  }
  if (auto s = CheckRange("heart_rate_bpm", o.heart_rate_bpm, 50, 110); !s.ok()) return s;
  if (o.anatomy_revision < 1 || o.anatomy_revision > kLatestAnatomyRevision) {
    return absl::InvalidArgumentError(absl::StrCat("anatomy_revision = ", o.anatomy_revision,
                                                   " is outside 1..", kLatestAnatomyRevision));
  }
  if (o.annotations_touching && !o.annotations) {
    return absl::InvalidArgumentError("annotations_touching needs annotations");
  }
  if (o.jpeg_quality != 0 &&
      (o.jpeg_quality < kMinJpegQuality || o.jpeg_quality > kMaxJpegQuality)) {
    return absl::InvalidArgumentError(absl::StrCat("jpeg_quality = ", o.jpeg_quality,
                                                   " is outside ", kMinJpegQuality, "..",
                                                   kMaxJpegQuality, " (or 0: lossless)"));
  }
  return CheckRange("fps", o.fps, 18, 60);
}

// Frame indices of the volume extrema near each cycle's ED (want_max) or ES time.
std::vector<int> Extrema(const std::vector<double>& vol, double fps, double rr_s, double phase0,
                         double event_phase, bool want_max) {
  std::vector<int> out;
  const int n = static_cast<int>(vol.size());
  const double t_end = (n - 1) / fps;
  // Event k happens at time (k + event_phase - phase0) * rr_s.
  const int k0 = static_cast<int>(std::floor(phase0 - event_phase)) - 1;
  for (int k = k0; (k + event_phase - phase0) * rr_s <= t_end + 0.5 / fps; ++k) {
    const double te = (k + event_phase - phase0) * rr_s;
    if (te < -0.5 / fps) continue;
    int best = -1;
    for (int t = 0; t < n; ++t) {
      if (std::fabs(t / fps - te) >= 0.5 * rr_s) continue;
      if (best < 0 || (want_max ? vol[t] > vol[best] : vol[t] < vol[best])) best = t;
    }
    if (best >= 0 && (out.empty() || out.back() != best)) out.push_back(best);
  }
  return out;
}

}  // namespace

std::string DifficultyName(Difficulty d) {
  switch (d) {
    case Difficulty::kNormal:
      return "normal";
    case Difficulty::kEasy:
      return "easy";
    case Difficulty::kLowSnr:
      return "low_snr";
    case Difficulty::kMissingWall:
      return "missing_wall";
    case Difficulty::kHeavyClutter:
      return "heavy_clutter";
    case Difficulty::kLowFrameRate:
      return "low_frame_rate";
    case Difficulty::kRandomized:
      return "randomized";
    case Difficulty::kShiftGain:
      return "shift_gain";
    case Difficulty::kBrightCavity:
      return "bright_cavity";
    case Difficulty::kPaddedSector:
      return "padded_sector";
    case Difficulty::kDilated:
      return "dilated";
    case Difficulty::kTruncatedAtrium:
      return "truncated_atrium";
    case Difficulty::kHeavyHaze:
      return "heavy_haze";
    case Difficulty::kRealLike:
      return "real_like";
  }
  return "unknown";
}

absl::StatusOr<Difficulty> ParseDifficulty(absl::string_view name) {
  for (int i = 0; i < kNumDifficulties; ++i) {
    const Difficulty d = static_cast<Difficulty>(i);
    if (name == DifficultyName(d)) return d;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown difficulty '", name,
      "' (expected normal, easy, low_snr, missing_wall, heavy_clutter, low_frame_rate, "
      "randomized, shift_gain, bright_cavity, padded_sector, dilated, truncated_atrium, "
      "heavy_haze or real_like)"));
}

uint64_t HeldOutSeed(Difficulty d, int i) {
  return kFirstHeldOutSeed + static_cast<uint64_t>(d) * 1'000'000ULL + static_cast<uint64_t>(i);
}

std::vector<Frame> EchoGenerator::RenderAll() const {
  std::vector<Frame> frames;
  frames.reserve(info().num_frames);
  for (int t = 0; t < info().num_frames; ++t) frames.push_back(Render(t));
  return frames;
}

absl::StatusOr<std::unique_ptr<EchoGenerator>> EchoGenerator::Create(const ClipOptions& o) {
  if (absl::Status s = Validate(o); !s.ok()) return s;
  Rng clip_rng = Rng(o.seed).Fork(1);
  ClipInfo info;
  info.seed = o.seed;
  info.anatomy_revision = o.anatomy_revision;
  info.annotations = o.annotations;
  info.annotations_touching = o.annotations && o.annotations_touching;
  info.colour = o.colour;
  info.jpeg_quality = o.jpeg_quality;
  info.difficulty = o.difficulty;
  info.width = o.width;
  info.height = o.height;
  const bool four = o.view == View::kAuto ? clip_rng.Bernoulli(0.5) : o.view == View::kFourChamber;
  info.view = four ? View::kFourChamber : View::kTwoChamber;
  double ef =
      clip_rng.Bernoulli(0.65) ? clip_rng.ClampedNormal(57, 9, 20, 75) : clip_rng.Uniform(20, 75);
  double hr = clip_rng.Uniform(50, 110);
  double fps = o.difficulty == Difficulty::kLowFrameRate ? clip_rng.Uniform(18, 25)
                                                         : clip_rng.Uniform(25, 60);
  const int cycles = clip_rng.UniformInt(1, 3);
  const double phase0 = clip_rng.Uniform();
  const double variation = clip_rng.Uniform(-1, 1);
  SectorGeometry sector;
  sector.width = o.width;
  sector.height = o.height;
  sector.half_angle_rad = 0.5 * clip_rng.Uniform(75, 90) * kPi / 180;
  sector.depth_cm = clip_rng.Uniform(13, 17);
  // The randomised family redraws the layout and the EF from streams of its own, so the
  // standard bins keep their clips.
  const bool randomized = IsRandomizedFamily(o.difficulty);
  if (randomized) {
    Rng var_rng = Rng(o.seed).Fork(5);
    sector = MakeSectorGeometry(SampleLayout(var_rng, o.difficulty), o.width, o.height);
    ef = o.difficulty == Difficulty::kDilated ? var_rng.Uniform(15, 35)
         : var_rng.Bernoulli(0.4)             ? var_rng.Uniform(15, 80)
                                              : var_rng.ClampedNormal(55, 12, 15, 80);
  }
  if (o.ejection_fraction_pct > 0) ef = o.ejection_fraction_pct;
  if (o.heart_rate_bpm > 0) hr = o.heart_rate_bpm;
  if (o.fps > 0) fps = o.fps;
  info.fps = fps;
  info.heart_rate_bpm = hr;
  info.ejection_fraction_pct = ef;
  info.sector_angle_deg = 2 * sector.half_angle_rad * 180 / kPi;
  info.depth_cm = sector.depth_cm;
  if (sector.pixel_w_cm > 0) {
    info.spacing_mm_x = 10 * sector.pixel_w_cm;
    info.spacing_mm_y = 10 * sector.pixel_h_cm;
  } else {
    info.spacing_mm_x = 10 * 2 * sector.depth_cm * std::sin(sector.half_angle_rad) / o.width;
    info.spacing_mm_y = 10 * sector.depth_cm / o.height;
  }
  const double rr_s = 60.0 / hr;
  info.num_frames =
      o.num_frames > 0 ? o.num_frames : static_cast<int>(std::ceil(cycles * rr_s * fps)) + 1;
  Rng anatomy_rng = Rng(o.seed).Fork(2);
  Rng tails_rng = Rng(o.seed).Fork(6);
  const AnatomyParams anatomy =
      SampleAnatomy(anatomy_rng, four, sector.depth_cm, sector.half_angle_rad, o.difficulty,
                    &tails_rng, o.anatomy_revision);
  Rng acq_rng = Rng(o.seed).Fork(randomized ? 7 : 3);
  const AcquisitionParams acq =
      randomized ? SampleRandomizedAcquisition(acq_rng, o.difficulty, sector.depth_cm,
                                               sector.half_angle_rad)
                 : SampleAcquisition(acq_rng, o.difficulty, sector.depth_cm, sector.half_angle_rad);
  const CycleShape cycle = MakeCycleShape(ef / 100.0, hr, variation);
  info.lv_volume_ml.resize(info.num_frames);
  for (int t = 0; t < info.num_frames; ++t) {
    const double phase = phase0 + t / fps / rr_s;
    info.lv_volume_ml[t] = LvVolumeMl(anatomy, VolumeFraction(cycle, phase));
  }
  info.ed_frames = Extrema(info.lv_volume_ml, fps, rr_s, phase0, 0.0, true);
  info.es_frames = Extrema(info.lv_volume_ml, fps, rr_s, phase0, cycle.systole_fraction, false);
  auto gen = std::make_unique<EchoGeneratorImpl>(std::move(info), anatomy, cycle, phase0, sector,
                                                 acq, HashCombine(o.seed, 4));
  if (o.annotations) {
    Rng annotation_rng = Rng(o.seed).Fork(8);
    const ClipInfo& made = gen->info();
    AnnotationLayout layout =
        SampleAnnotations(annotation_rng, made.sector_mask, made.depth_cm, made.spacing_mm_y,
                          made.fps, made.heart_rate_bpm, o.annotations_touching);
    layout.ecg = layout.ecg && !o.colour;  // a colour export draws its ECG in colour
    gen->set_annotations(std::move(layout));
  }
  if (o.colour) {
    Rng colour_rng = Rng(o.seed).Fork(9);
    const ClipInfo& made = gen->info();
    gen->set_colour(SampleColourExport(colour_rng, made.sector_mask, made.heart_rate_bpm));
  }
  return std::unique_ptr<EchoGenerator>(std::move(gen));
}

}  // namespace botm::synth
