#include "core/synth/randomization.h"

#include <algorithm>
#include <cmath>

#include "core/synth/anatomy.h"

namespace botm::synth {
namespace {

constexpr double kPi = 3.14159265358979323846;

void SetLevel(AcquisitionParams& a, Tissue t, double display) {
  a.level_display[static_cast<int>(t)] = std::clamp(display, 0.0, 230.0);
}

double LogUniform(Rng& rng, double lo, double hi) {
  return std::exp(rng.Uniform(std::log(lo), std::log(hi)));
}

// Per-tissue display levels: SynthSeg-style independent draws, with the bin's shift.
void SampleLevels(Rng& rng, Difficulty d, AcquisitionParams& a) {
  const bool real_like = d == Difficulty::kRealLike;
  const double tissue = real_like ? rng.Uniform(75, 120) : rng.Uniform(45, 150);
  const double myo = tissue + (real_like ? rng.Uniform(10, 30) : rng.Uniform(-25, 55));
  const double darker_wall = std::min(tissue, myo);
  double lv = rng.Uniform(0, std::max(4.0, darker_wall - 12));
  double la =
      rng.Bernoulli(0.5) ? lv + rng.Uniform(-12, 25) : rng.Uniform(0, std::max(4.0, tissue - 10));
  if (d == Difficulty::kBrightCavity) {
    lv = darker_wall - rng.Uniform(4, 14);
    la = darker_wall - rng.Uniform(4, 14);
  } else if (real_like) {  // MODEL.md's real medians: LV 64, myocardium 102, LA 76, tissue 92
    lv = myo * rng.Uniform(0.25, 0.6);
    la = lv + rng.Uniform(-5, 25);
  }
  SetLevel(a, Tissue::kTissue, tissue);
  SetLevel(a, Tissue::kMyocardium, myo);
  SetLevel(a, Tissue::kLvBlood, lv);
  SetLevel(a, Tissue::kLaBlood, la);
  SetLevel(a, Tissue::kRightBlood, lv + rng.Uniform(-15, 15));
  SetLevel(a, Tissue::kRightWall, myo + rng.Uniform(-15, 20));
  SetLevel(a, Tissue::kPericardium, tissue + rng.Uniform(-10, 55));
  SetLevel(a, Tissue::kLeaflet, myo + rng.Uniform(-25, 45));
  SetLevel(a, Tissue::kAtrialWall, tissue + rng.Uniform(-10, 25));
  SetLevel(a, Tissue::kSpecular, std::max(tissue, myo) + rng.Uniform(20, 80));
  SetLevel(a, Tissue::kPapillary, myo + rng.Uniform(-15, 15));
}

void SampleTexture(Rng& rng, Difficulty d, double depth_cm, AcquisitionParams& a) {
  const bool real_like = d == Difficulty::kRealLike;
  const double scale = depth_cm / 15.0;
  a.gray_per_db = rng.Uniform(2.5, 8.0);
  a.tissue_coarse_db = rng.Uniform(3, 16);
  a.tissue_fine_db = rng.Uniform(1, 6);
  a.myo_fine_db = rng.Uniform(2, 12);
  a.depth_loss_db_per_cm = rng.Uniform(0.0, 1.0);
  a.edge_loss_db = rng.Uniform(0, 10);
  a.noise_display = rng.Uniform(2, 30);
  a.noise_slope_db_per_cm = rng.Uniform(0.0, 0.4);
  a.nearfield_display = rng.Uniform(30, 130);
  a.nearfield_depth_cm = rng.Uniform(0.5, 3.0) * scale;
  a.haze_display = rng.Bernoulli(0.2) ? 0 : rng.Uniform(0, 70);
  a.haze_center_frac = rng.Uniform(0.1, 0.6);
  a.haze_width_frac = rng.Uniform(0.08, 0.35);
  a.dropout_angle_db = rng.Uniform(0, 14);
  a.speckle_decorr_s = rng.Uniform(0.4, 2.0);
  a.speckle_cell_scale = real_like ? rng.Uniform(0.6, 0.85) : LogUniform(rng, 0.55, 2.2);
  a.border_soften_samples =
      real_like ? rng.Uniform(1.0, 2.0) : (rng.Bernoulli(0.6) ? rng.Uniform(0.3, 2.5) : 0);
  a.post_blur_samples =
      real_like ? rng.Uniform(0.3, 0.7) : (rng.Bernoulli(0.5) ? rng.Uniform(0.3, 1.3) : 0);
  if (real_like) {
    a.haze_display = std::min(a.haze_display, 45.0);
    a.nearfield_display = rng.Uniform(40, 90);
    a.nearfield_depth_cm = rng.Uniform(0.5, 1.5) * scale;
    a.noise_display = rng.Uniform(2, 12);
    a.depth_loss_db_per_cm = rng.Uniform(0.1, 0.5);
    a.dropout_angle_db = rng.Uniform(2, 8);
  }
}

void SampleArtifacts(Rng& rng, double depth_cm, double half_angle, AcquisitionParams& a) {
  const int segments = rng.UniformInt(0, 3);
  for (int i = 0; i < segments; ++i) {
    AddWallLoss(a, rng.Uniform(-kPi, kPi), rng.Uniform(0.2, 0.7), rng.Uniform(3, 20));
  }
  const int ribs = rng.Bernoulli(0.4) ? rng.UniformInt(1, 2) : 0;
  for (int i = 0; i < ribs; ++i) {
    const double side = rng.Bernoulli(0.5) ? 1.0 : -1.0;
    a.ribs.push_back(
        {side * rng.Uniform(0.3, 0.95) * half_angle, rng.Uniform(0.04, 0.12), rng.Uniform(5, 18)});
  }
  a.rib_depth_cm = rng.Uniform(0.5, 1.5) * depth_cm / 15.0;
  a.display_gamma = LogUniform(rng, 0.6, 1.7);
  a.display_gain = rng.Uniform(0.8, 1.25);
  for (float& k : a.tgc_db) k = static_cast<float>(rng.Uniform(-6, 6));
  for (float& k : a.lgc_db) k = static_cast<float>(rng.Uniform(-4, 4));
}

void ApplyShift(Rng& rng, Difficulty d, double depth_cm, AcquisitionParams& a) {
  switch (d) {
    case Difficulty::kShiftGain:
      a.display_gamma = rng.Bernoulli(0.5) ? rng.Uniform(2.6, 3.6) : rng.Uniform(0.3, 0.42);
      a.display_gain = rng.Bernoulli(0.5) ? rng.Uniform(0.55, 0.75) : rng.Uniform(1.4, 1.9);
      for (float& k : a.tgc_db) k = static_cast<float>(rng.Uniform(-10, 10));
      break;
    case Difficulty::kRealLike:
      a.display_gamma = rng.Uniform(0.8, 1.25);
      a.display_gain = rng.Uniform(0.9, 1.1);
      break;
    case Difficulty::kHeavyHaze:
      a.haze_display = rng.Uniform(75, 110);
      a.haze_width_frac = rng.Uniform(0.3, 0.5);
      a.haze_center_frac = rng.Uniform(0.15, 0.45);
      a.nearfield_display = rng.Uniform(130, 170);
      a.nearfield_depth_cm = rng.Uniform(1.5, 4.0) * depth_cm / 15.0;
      break;
    default:
      break;
  }
}

}  // namespace

SectorLayout SampleLayout(Rng& rng, Difficulty d) {
  SectorLayout l;
  l.sector_angle_deg = rng.Uniform(60, 100);
  l.depth_cm = rng.Uniform(10, 20);
  if (d == Difficulty::kPaddedSector) {
    l.width_fraction = rng.Uniform(0.35, 0.5);
    l.depth_fraction = rng.Uniform(0.45, 0.7);
    l.apex_x_fraction = rng.Uniform(-1, 1);
    l.top_margin_fraction = rng.Uniform(0, 1 - l.depth_fraction);
  } else if (d == Difficulty::kRealLike) {
    l.sector_angle_deg = rng.Uniform(70, 90);
    l.width_fraction = rng.Uniform(0.62, 0.78);
    l.depth_fraction = rng.Uniform(0.7, 0.88);
    l.apex_x_fraction = rng.Uniform(-0.15, 0.15);
    l.top_margin_fraction = rng.Uniform(0, 0.06);
  } else if (!rng.Bernoulli(0.45)) {
    l.width_fraction = rng.Uniform(0.5, 1.0);
    l.depth_fraction = rng.Uniform(0.6, 1.0);
    l.apex_x_fraction = rng.Uniform(-0.6, 0.6);
    l.top_margin_fraction = 0.5 * rng.Uniform(0, 1 - l.depth_fraction);
  }
  return l;
}

SectorGeometry MakeSectorGeometry(const SectorLayout& l, int width, int height) {
  SectorGeometry g;
  g.width = width;
  g.height = height;
  g.depth_cm = l.depth_cm;
  g.half_angle_rad = 0.5 * l.sector_angle_deg * kPi / 180;
  const double half_width = g.depth_cm * std::sin(g.half_angle_rad);
  const double frame_w = 2 * half_width / l.width_fraction, frame_h = g.depth_cm / l.depth_fraction;
  const double margin = frame_w - 2 * half_width;
  g.frame_x0_cm = -half_width - 0.5 * margin * (1 + l.apex_x_fraction);
  g.frame_y0_cm = -l.top_margin_fraction * frame_h;
  g.pixel_w_cm = frame_w / width;
  g.pixel_h_cm = frame_h / height;
  g.beams = std::max(64, static_cast<int>(std::lround(width * l.width_fraction)));
  g.samples = std::max(64, static_cast<int>(std::lround(height * l.depth_fraction)));
  return g;
}

AcquisitionParams SampleRandomizedAcquisition(Rng& rng, Difficulty difficulty, double depth_cm,
                                              double half_angle_rad) {
  AcquisitionParams a;
  SampleLevels(rng, difficulty, a);
  SampleTexture(rng, difficulty, depth_cm, a);
  SampleArtifacts(rng, depth_cm, half_angle_rad, a);
  ApplyShift(rng, difficulty, depth_cm, a);
  return a;
}

}  // namespace botm::synth
