#include "core/synth/acquisition.h"

#include <algorithm>
#include <cmath>

namespace botm::synth {
namespace {

constexpr double kPi = 3.14159265358979323846;

void SetLevel(AcquisitionParams& a, Tissue t, double display) {
  a.level_display[static_cast<int>(t)] = display;
}
double Level(const AcquisitionParams& a, Tissue t) { return a.level_display[static_cast<int>(t)]; }

void SampleLevels(Rng& rng, AcquisitionParams& a) {
  const double tissue = rng.ClampedNormal(96, 18, 55, 135);
  const double myo = tissue + rng.ClampedNormal(19, 10, -5, 45);
  // One clip in four has a hazy, bright cavity (the real range reaches a mean of 94).
  const double lv =
      rng.ClampedNormal(30, 12, 8, 78) + (rng.Bernoulli(0.25) ? rng.Uniform(25, 50) : 0);
  SetLevel(a, Tissue::kTissue, tissue);
  SetLevel(a, Tissue::kMyocardium, myo);
  SetLevel(a, Tissue::kLvBlood, lv);
  SetLevel(a, Tissue::kLaBlood, lv + rng.ClampedNormal(26, 12, -5, 60));
  SetLevel(a, Tissue::kRightBlood, lv + rng.ClampedNormal(3, 5, -8, 15));
  SetLevel(a, Tissue::kRightWall, myo + rng.Uniform(-5, 10));
  SetLevel(a, Tissue::kPericardium, tissue + rng.Uniform(12, 28));
  SetLevel(a, Tissue::kLeaflet, myo + rng.Uniform(5, 20));
  SetLevel(a, Tissue::kAtrialWall, tissue + rng.Uniform(3, 12));
}

void SampleArtifacts(Rng& rng, AcquisitionParams& a, double depth_cm, double half_angle) {
  const double scale = depth_cm / 15.0;
  a.gray_per_db = rng.Uniform(4.8, 6.2);
  a.tissue_coarse_db = rng.Uniform(10, 14);
  a.tissue_fine_db = rng.Uniform(3, 5);
  a.myo_fine_db = rng.Uniform(8, 11);
  a.depth_loss_db_per_cm = rng.Uniform(0.1, 0.6);
  a.edge_loss_db = rng.Uniform(2, 8);
  a.noise_display = rng.Uniform(3, 15);
  a.noise_slope_db_per_cm = rng.Uniform(0.05, 0.25);
  a.nearfield_display = rng.Uniform(60, 100);
  a.nearfield_depth_cm = rng.Uniform(0.8, 2.0) * scale;
  a.haze_display = rng.Uniform(25, 50);
  a.haze_center_frac = rng.Uniform(0.15, 0.4);
  a.haze_width_frac = rng.Uniform(0.1, 0.25);
  a.dropout_angle_db = rng.Uniform(4, 10);
  const int segments = rng.UniformInt(0, 2);
  for (int i = 0; i < segments; ++i) {
    const double center = rng.Bernoulli(0.7) ? rng.Uniform(0.5, 2.2) : rng.Uniform(-2.6, -0.5);
    AddWallLoss(a, center, rng.Uniform(0.2, 0.5), rng.Uniform(5, 14));
  }
  if (rng.Bernoulli(0.35)) {
    const double side = rng.Bernoulli(0.5) ? 1.0 : -1.0;
    a.ribs.push_back(
        {side * rng.Uniform(0.5, 0.95) * half_angle, rng.Uniform(0.04, 0.1), rng.Uniform(6, 15)});
  }
  a.rib_depth_cm = rng.Uniform(0.5, 1.5) * scale;
  a.speckle_decorr_s = rng.Uniform(0.6, 1.5);
}

void ApplyDifficulty(Rng& rng, Difficulty d, AcquisitionParams& a, double half_angle) {
  switch (d) {
    case Difficulty::kEasy:
      SetLevel(a, Tissue::kLvBlood, rng.Uniform(22, 35));
      SetLevel(a, Tissue::kLaBlood, Level(a, Tissue::kLvBlood) + 5);
      SetLevel(a, Tissue::kRightBlood, Level(a, Tissue::kLvBlood));
      a.noise_display = 5;
      a.nearfield_display = 40;
      a.haze_display = 0;
      a.dropout_angle_db = 0;
      a.wall_profile_db.fill(0);
      a.ribs.clear();
      break;
    case Difficulty::kLowSnr:
      a.noise_display = rng.Uniform(40, 55);
      SetLevel(a, Tissue::kLvBlood, Level(a, Tissue::kTissue) - rng.Uniform(20, 35));
      SetLevel(a, Tissue::kLaBlood, Level(a, Tissue::kLvBlood) + 5);
      a.depth_loss_db_per_cm = rng.Uniform(0.6, 1.0);
      break;
    case Difficulty::kMissingWall:
      AddWallLoss(a, rng.Uniform(1.1, 1.6), rng.Uniform(0.6, 0.9), rng.Uniform(18, 28));
      break;
    case Difficulty::kHeavyClutter:
      a.nearfield_display = rng.Uniform(110, 140);
      a.nearfield_depth_cm *= 1.5;
      a.haze_display = rng.Uniform(60, 80);
      a.haze_width_frac = rng.Uniform(0.2, 0.35);
      a.ribs.clear();
      for (int i = 0, n = rng.UniformInt(1, 2); i < n; ++i) {
        const double side = i == 0 ? -1.0 : 1.0;
        a.ribs.push_back({side * rng.Uniform(0.3, 0.9) * half_angle, rng.Uniform(0.06, 0.14),
                          rng.Uniform(10, 20)});
      }
      break;
    default:  // kNormal, kLowFrameRate; the randomised family has its own sampler
      break;
  }
}

}  // namespace

void AddWallLoss(AcquisitionParams& a, double center, double half_width, double loss_db) {
  for (int k = 0; k < kWallProfileBins; ++k) {
    const double psi = -kPi + (k + 0.5) * 2 * kPi / kWallProfileBins;
    double d = std::fabs(psi - center);
    d = std::min(d, 2 * kPi - d);
    if (d < half_width) {
      a.wall_profile_db[k] -=
          static_cast<float>(loss_db * (0.5 + 0.5 * std::cos(kPi * d / half_width)));
    }
  }
}

AcquisitionParams SampleAcquisition(Rng& rng, Difficulty difficulty, double depth_cm,
                                    double half_angle_rad) {
  AcquisitionParams a;
  SampleLevels(rng, a);
  SampleArtifacts(rng, a, depth_cm, half_angle_rad);
  ApplyDifficulty(rng, difficulty, a, half_angle_rad);
  return a;
}

}  // namespace botm::synth
