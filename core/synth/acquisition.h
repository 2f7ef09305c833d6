// Acquisition and display settings of one clip: echo levels per tissue, speckle texture,
// attenuation, noise, clutter, rib shadows, wall dropout and log compression. Sampled once per
// clip; each difficulty bin shifts the distributions of one factor.
//
// Levels are expressed as the mean 8-bit display value a region of that tissue would have
// without noise or clutter, which keeps the tuning against MODEL.md's realism table direct.
//
// Thread-safety: plain values.
#ifndef BOTM_CORE_SYNTH_ACQUISITION_H_
#define BOTM_CORE_SYNTH_ACQUISITION_H_

#include <array>
#include <vector>

#include "core/synth/anatomy.h"
#include "core/synth/echo_generator.h"
#include "core/synth/prng.h"

namespace botm::synth {

inline constexpr int kNumTissues = 11;
inline constexpr int kWallProfileBins = 64;

struct RibShadow {
  double angle_rad = 0;       // beam angle of the shadow's centre
  double half_width_rad = 0;  // half width of the shadow
  double loss_db = 0;         // amplitude loss in the shadow
};

struct AcquisitionParams {
  double gray_per_db = 3.2;                         // log-compression slope: display units per dB
  std::array<double, kNumTissues> level_display{};  // indexed by Tissue
  double tissue_coarse_db = 4;                      // std of slow echogenicity variation in tissue
  double tissue_fine_db = 3;                        // std of fine variation in tissue
  double myo_fine_db = 3;                           // std of fine variation in the myocardium
  double depth_loss_db_per_cm = 0.3;   // residual attenuation after time-gain compensation
  double edge_loss_db = 5;             // loss at the sector's lateral edges
  double noise_display = 20;           // electronic noise level (display units) at the probe
  double noise_slope_db_per_cm = 1.0;  // noise growth with depth (receiver gain)
  double nearfield_display = 80;       // near-field clutter level at the probe
  double nearfield_depth_cm = 1.2;     // its decay length
  double haze_display = 40;            // reverberation haze level (display units)
  double haze_center_frac = 0.3, haze_width_frac = 0.15;  // its depth band (sector fractions)
  double dropout_angle_db = 8;                            // loss of walls parallel to the beams
  std::array<float, kWallProfileBins> wall_profile_db{};  // extra loss around the LV wall
  std::vector<RibShadow> ribs;
  double rib_depth_cm = 1.0;      // depth below which rib shadows start
  double speckle_decorr_s = 1.0;  // time over which tissue speckle fully decorrelates
  // Domain-randomised family only (these neutral values leave the other bins unchanged):
  double speckle_cell_scale = 1;     // speckle grain relative to the base (about 2 samples)
  double border_soften_samples = 0;  // Gaussian sigma on the echogenicity map: soft borders
  double post_blur_samples = 0;      // Gaussian sigma on the 8-bit polar image: smooth speckle
  double display_gamma = 1;          // display map v' = 255 * gain * (v / 255)^gamma
  double display_gain = 1;
  std::array<float, 6> tgc_db{};  // time-gain compensation knots, probe to far field (dB)
  std::array<float, 5> lgc_db{};  // lateral gain knots, left to right beam (dB)
};

AcquisitionParams SampleAcquisition(Rng& rng, Difficulty difficulty, double depth_cm,
                                    double half_angle_rad);

// Adds a smooth loss bump of `loss_db` centred at psi (radians, -pi..pi, around the LV centre)
// and `half_width` wide to the wall profile.
void AddWallLoss(AcquisitionParams& a, double center, double half_width, double loss_db);

}  // namespace botm::synth

#endif  // BOTM_CORE_SYNTH_ACQUISITION_H_
