// Apical 2- and 4-chamber-like heart geometry: sampled once per clip (AnatomyParams), posed
// per frame from the LV volume fraction (HeartState), and classified point by point.
//
// Coordinates: centimetres, origin at the probe (sector apex), x lateral (image right), y depth.
// The heart-local frame has its origin at the LV endocardial apex (fixed over the cycle), s
// along the LV long axis (apex -> base) and w across it (w > 0 toward the lateral wall).
//
// Thread-safety: plain values and pure functions.
#ifndef BOTM_CORE_SYNTH_ANATOMY_H_
#define BOTM_CORE_SYNTH_ANATOMY_H_

#include <array>
#include <cstdint>

#include "core/synth/echo_generator.h"
#include "core/synth/prng.h"

namespace botm::synth {

// Low-order radial harmonics of a contour: in the contour's normalised polar coordinates
// (the ellipse is the unit circle) the boundary is at radius
// 1 + sum_k c[k] cos((k + 2) theta) + s[k] sin((k + 2) theta), k = 0..2 (orders 2, 3, 4).
// All zero = the plain ellipse. max_abs bounds |radius - 1| (sum of |c| + |s|).
struct ContourHarmonics {
  std::array<double, 3> c{}, s{};
  double max_abs = 0;
};

// A bright specular segment (or, with u0 == u1 and v0 == v1, a round blob) in cavity-normalised
// coordinates: u = (s - s_c) / a along the LV axis, v = w / b across it (the cavity is the unit
// disc), so it moves and deforms with the ventricle. half_cm: half thickness (blob radius).
struct SpecularMark {
  double u0 = 0, v0 = 0, u1 = 0, v1 = 0, half_cm = 0.05;
};
inline constexpr int kMaxSpecular = 6;
inline constexpr int kMaxPapillary = 2;

struct AnatomyParams {
  bool four_chamber = true;
  double apex_x_cm = 0, apex_y_cm = 3;  // LV endocardial apex
  double tilt_rad = 0.15;               // LV axis from vertical, base toward +x (lateral)
  // LV cavity at end-diastole: truncated ellipse with semi-axes a (long) and b (short); the
  // mitral plane is at s = a * (1 + trunc_z).
  double cavity_a_ed_cm = 4, cavity_b_ed_cm = 2.2, trunc_z = 0.3;
  double long_strain_exp = 0.2;   // L ~ r^k, b ~ r^((1-k)/2) for volume fraction r
  double wall_ed_cm = 1.1;        // lateral wall thickness at end-diastole
  double apex_wall_ratio = 0.75;  // apical / lateral wall thickness
  double myo_area_cm2 = 0;        // constant myocardial area (derived)
  // Left atrium: ellipse below the mitral plane (axis tilted by la_tilt from the LV axis).
  double la_a_cm = 2.4, la_b_cm = 2.0, la_q = 0.45, la_tilt_rad = 0;
  // Right heart (four_chamber only), relative sizes.
  double rv_a_cm = 3.5, rv_b_cm = 1.4, rv_wall_cm = 0.35;
  double ra_a_cm = 2.0, ra_b_cm = 1.6;
  double pericardium_cm = 0.3;
  // Domain-randomised family only (zero / empty in the other bins): non-elliptic contours, a
  // tissue gap between the epicardium and the pericardial echo (so the bright line is not on
  // the label border), specular marks anywhere around the heart (labels unchanged) and
  // papillary muscles inside the cavity (labelled LV cavity, as CAMUS annotators do).
  ContourHarmonics cavity_shape, epi_shape, la_shape;
  double pericardium_gap_cm = 0;
  int num_specular = 0;
  std::array<SpecularMark, kMaxSpecular> specular{};
  int num_papillary = 0;
  std::array<SpecularMark, kMaxPapillary> papillary{};
};

// Samples a heart for a sector of `depth_cm` and `half_angle_rad`. `tails` (used only for the
// domain-randomised family, may be null otherwise) draws the anatomical tails: dilated spherical
// ventricles, thin/thick walls, large and truncated atria, foreshortening, irregular contours.
// The draws from `rng` are the same for every bin, so a seed keeps its base heart.
// `revision`: ClipOptions::anatomy_revision (1 or 2; the draws are the same under both).
AnatomyParams SampleAnatomy(Rng& rng, bool four_chamber, double depth_cm, double half_angle_rad,
                            Difficulty difficulty, Rng* tails = nullptr, int revision = 1);

// Returns the area of an ellipse with semi-axes a, b truncated at s = z * a from its centre
// (the part with s <= z * a), in a * b units.
double TruncatedEllipseArea(double a, double b, double z);

// Geometry of one frame, in the heart-local frame.
struct HeartState {
  double px, py, ux, uy, vx, vy;  // apex and unit axes (u along s, v along w)
  double a, b, s_c, s_mv;         // cavity ellipse and mitral plane
  double inv_a2, inv_b2, inv_ae2, inv_be2, inv_pa2, inv_pb2;  // cavity, epi, pericardium
  double a_e, b_e;
  double la_cs, la_cw, la_cos, la_sin, inv_la_a2, inv_la_b2, inv_law_a2, inv_law_b2;
  bool four_chamber;
  double rv_cs, rv_cw, inv_rv_a2, inv_rv_b2, inv_rvw_a2, inv_rvw_b2, s_tv;
  double ra_cs, ra_cw, inv_ra_a2, inv_ra_b2;
  double leaf[2][4];                         // mitral leaflets: s0, w0, s1, w1
  double leaf_half_cm;                       // leaflet half thickness
  double leaf_box[4];                        // s_min, s_max, w_min, w_max around both leaflets
  double lambda_l, lambda_w, s_mv_ed, b_ed;  // for the tissue motion map
  // Domain-randomised family (see AnatomyParams); inv_* are 1 / semi-axis for normalising.
  double inv_a, inv_b, inv_ae, inv_be, inv_la_a, inv_la_b;
  const AnatomyParams* shape;  // harmonics and marks (owned by the generator); never null
  ContourHarmonics epi;        // this frame's epicardium: the cavity's shape carried outward
  double inv_ga2, inv_gb2;     // epicardium + pericardium gap ellipse (used when the gap > 0)
};

// Poses the heart at LV volume fraction r (V / V_ed) with mitral opening `opening` (0..1).
HeartState PoseHeart(const AnatomyParams& p, double r, double opening);

// Returns the LV volume in ml (truncated prolate ellipsoid of revolution) at fraction r.
double LvVolumeMl(const AnatomyParams& p, double r);

// Kinds of echo sources the renderer distinguishes.
enum class Tissue : uint8_t {
  kTissue,
  kMyocardium,
  kLvBlood,
  kLaBlood,
  kRightBlood,
  kRightWall,
  kPericardium,
  kLeaflet,
  kAtrialWall,
  kSpecular,  // bright specular mark off the label borders (randomised family)
  kPapillary  // papillary muscle inside the cavity (randomised family; labelled LV cavity)
};

// Converts a physical point to heart-local (s, w).
inline void ToLocal(const HeartState& h, double x, double y, double* s, double* w) {
  const double dx = x - h.px, dy = y - h.py;
  *s = dx * h.ux + dy * h.uy;
  *w = dx * h.vx + dy * h.vy;
}

// Returns the ground-truth label at heart-local (s, w).
Label LabelAt(const HeartState& h, double s, double w);
// Returns the echo source at heart-local (s, w) and its ground-truth label.
Tissue TissueAt(const HeartState& h, double s, double w, Label* label);

}  // namespace botm::synth

#endif  // BOTM_CORE_SYNTH_ANATOMY_H_
