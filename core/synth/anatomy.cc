#include "core/synth/anatomy.h"

#include <algorithm>
#include <cmath>

namespace botm::synth {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kDeg = kPi / 180.0;

double Sq(double x) { return x * x; }

// Squared distance from (s, w) to the segment seg = {s0, w0, s1, w1}.
double SegmentDist2(const double seg[4], double s, double w) {
  const double ds = seg[2] - seg[0], dw = seg[3] - seg[1];
  const double len2 = ds * ds + dw * dw;
  double t = len2 > 0 ? ((s - seg[0]) * ds + (w - seg[1]) * dw) / len2 : 0.0;
  t = std::clamp(t, 0.0, 1.0);
  return Sq(s - seg[0] - t * ds) + Sq(w - seg[1] - t * dw);
}

// Myocardial area for cavity (a, b, z) and lateral wall thickness t.
double MyoArea(double a, double b, double z, double apex_ratio, double t) {
  const double ae = a + apex_ratio * t;
  return TruncatedEllipseArea(ae, b + t, a * z / ae) - TruncatedEllipseArea(a, b, z);
}

void SetLeaflet(double out[4], double s0, double w0, double side, double len, double opening) {
  // side = -1: septal/anterior leaflet, +1: lateral/posterior leaflet.
  const double cs = 0.12, cw = -side, os = -1.0, ow = 0.22 * -side;
  double ds = (1 - opening) * cs + opening * os, dw = (1 - opening) * cw + opening * ow;
  const double n = std::sqrt(ds * ds + dw * dw);
  ds /= n;
  dw /= n;
  out[0] = s0;
  out[1] = w0;
  out[2] = s0 + len * ds;
  out[3] = w0 + len * dw;
}

// Whether the end-diastolic epicardium of a cavity of length len and half-width b lies inside
// the sector with a 1 degree margin and the mitral plane above `mitral_limit` of the depth.
bool EpicardiumFits(const AnatomyParams& p, double len, double b, double half_angle, double d,
                    double mitral_limit) {
  const double a = len / (1 + p.trunc_z);
  const double ae = a + p.apex_wall_ratio * p.wall_ed_cm, be = b + p.wall_ed_cm;
  const double ux = std::sin(p.tilt_rad), uy = std::cos(p.tilt_rad);
  const double limit = half_angle - 1 * kDeg;
  if (p.apex_y_cm + len * uy > mitral_limit * d) return false;
  for (int k = 0; k < 64; ++k) {
    const double th = k * 2 * kPi / 64;
    const double s = std::min(a + ae * std::cos(th), len), w = be * std::sin(th);
    const double x = p.apex_x_cm + s * ux + w * uy, y = p.apex_y_cm + s * uy - w * ux;
    if (std::fabs(std::atan2(x, y)) > limit || std::hypot(x, y) > d) return false;
  }
  return true;
}

// Draws harmonics with |c_k|, |s_k| <= amp / (k + 1) (smoother at higher orders).
ContourHarmonics SampleHarmonics(Rng& rng, double amp) {
  ContourHarmonics h;
  for (int k = 0; k < 3; ++k) {
    h.c[k] = rng.Uniform(-1, 1) * amp / (k + 1);
    h.s[k] = rng.Uniform(-1, 1) * amp / (k + 1);
    h.max_abs += std::fabs(h.c[k]) + std::fabs(h.s[k]);
  }
  return h;
}

// Returns whether normalised point (x, y) with q = x^2 + y^2 is inside the perturbed unit
// circle; taper in [0, 1] scales the perturbation (0 near the mitral plane, so the LV and LA
// still meet along the whole annulus). Points clearly inside or outside skip the trigonometry.
bool InsideShape(double q, double x, double y, const ContourHarmonics& h, double taper) {
  if (h.max_abs == 0 || taper <= 0) return q <= 1;
  const double lo = 1 - h.max_abs, hi = 1 + h.max_abs;
  if (q <= lo * lo) return true;
  if (q > hi * hi) return false;
  const double r = std::sqrt(q);
  const double c1 = x / r, s1 = y / r;
  const double c2 = c1 * c1 - s1 * s1, s2 = 2 * c1 * s1;
  const double c3 = c2 * c1 - s2 * s1, s3 = s2 * c1 + c2 * s1;
  const double c4 = c2 * c2 - s2 * s2, s4 = 2 * c2 * s2;
  const double f = 1 + taper * (h.c[0] * c2 + h.s[0] * s2 + h.c[1] * c3 + h.s[1] * s3 +
                                h.c[2] * c4 + h.s[2] * s4);
  return r <= f;
}

// Base-heart draws that only the domain-randomised family changes (see SampleAnatomy).
struct Tails {
  bool dilated = false;
  double len_scale = 1, ratio_scale = 1, wall_scale = 1, mitral_limit = 0.88;
};

Tails SampleTails(Rng* rng, Difficulty difficulty) {
  Tails t;
  if (rng == nullptr || !IsRandomizedFamily(difficulty)) return t;
  t.mitral_limit = 0.96;
  const bool force_dilated = difficulty == Difficulty::kDilated;
  t.dilated = force_dilated || rng->Bernoulli(0.25);
  if (force_dilated) {
    t.len_scale = rng->Uniform(1.2, 1.4);
    t.ratio_scale = rng->Uniform(0.6, 0.72);
  } else if (t.dilated) {
    t.len_scale = rng->Uniform(1.05, 1.3);
    t.ratio_scale = rng->Uniform(0.68, 0.9);
  }
  if (difficulty == Difficulty::kTruncatedAtrium) t.len_scale = rng->Uniform(1.12, 1.25);
  const double wall = rng->Uniform();
  if (wall < 0.15) {
    t.wall_scale = rng->Uniform(0.45, 0.7);
  } else if (wall < 0.3) {
    t.wall_scale = rng->Uniform(1.3, 1.9);
  }
  return t;
}

// Widens the atrium until, at end-diastole, its section by the mitral plane covers the annulus
// with an 8 % margin (larger, tilted atria would otherwise leave the LV base touching tissue).
void WidenAtriumToAnnulus(AnatomyParams* p) {
  const double z = p->trunc_z;
  const double s_mv = p->cavity_a_ed_cm * (1 + z);
  const double half = 1.08 * p->cavity_b_ed_cm * std::sqrt(1 - z * z);
  const double c = std::cos(p->la_tilt_rad), sn = std::sin(p->la_tilt_rad);
  const double offset = p->la_q * p->la_a_cm;  // centre to plane along the atrial axis
  const double la_cs = s_mv + offset * c, la_cw = offset * sn;
  for (int iter = 0; iter < 40; ++iter) {
    bool covered = true;
    for (double w : {-half, half}) {
      const double ds = s_mv - la_cs, dw = w - la_cw;
      const double l = ds * c + dw * sn, t = -ds * sn + dw * c;
      covered &= Sq(l / p->la_a_cm) + Sq(t / p->la_b_cm) <= 1;
    }
    if (covered) return;
    p->la_b_cm *= 1.04;
  }
}

// Marks and irregular contours of the domain-randomised family, drawn after the base heart.
void SampleShapeDetails(Rng& rng, Difficulty difficulty, double d, AnatomyParams* p) {
  const bool real_like = difficulty == Difficulty::kRealLike;
  const double amp = real_like ? rng.Uniform(0.06, 0.1) : rng.Uniform(0.0, 0.09);
  p->cavity_shape = SampleHarmonics(rng, amp);
  p->epi_shape = SampleHarmonics(rng, rng.Uniform(0.0, 0.03));
  p->la_shape = SampleHarmonics(rng, real_like ? rng.Uniform(0.08, 0.14) : rng.Uniform(0.0, 0.14));
  p->pericardium_gap_cm = rng.Uniform(0.0, 1.2) * d / 15.0;
  p->num_specular = real_like ? rng.UniformInt(3, kMaxSpecular) : rng.UniformInt(0, kMaxSpecular);
  for (int i = 0; i < p->num_specular; ++i) {
    // Anywhere from inside the cavity (chordae, trabeculae) to well outside the wall; short
    // segments at random angles, so none follows a label border.
    const double r = rng.Uniform(0.2, 2.2), phi = rng.Uniform(-kPi, kPi);
    const double len = rng.Uniform(0.1, 0.6), ang = rng.Uniform(-kPi, kPi);
    SpecularMark& m = p->specular[i];
    m.u0 = r * std::cos(phi);
    m.v0 = r * std::sin(phi);
    m.u1 = m.u0 + len * std::cos(ang);
    m.v1 = m.v0 + len * std::sin(ang);
    m.half_cm = rng.Uniform(0.04, 0.12) * d / 15.0;
  }
  p->num_papillary = real_like ? rng.UniformInt(1, 2) : rng.UniformInt(0, 2);
  for (int i = 0; i < p->num_papillary; ++i) {
    // Anterolateral / posteromedial muscles: mid-ventricle, attached to either wall.
    SpecularMark& m = p->papillary[i];
    m.u0 = m.u1 = rng.Uniform(-0.35, 0.25);
    m.v0 = m.v1 = (i == 0 ? 1 : -1) * rng.Uniform(0.6, 0.85);
    m.half_cm = rng.Uniform(0.15, 0.32) * d / 15.0;
  }
  if (difficulty == Difficulty::kTruncatedAtrium) {
    p->la_a_cm = rng.Uniform(0.18, 0.25) * d;
    p->la_b_cm *= rng.Uniform(1.05, 1.3);
  } else {
    p->la_a_cm *= rng.Bernoulli(0.3) ? rng.Uniform(1.2, 1.6) : rng.Uniform(0.8, 1.1);
    p->la_b_cm *= rng.Uniform(1.06, 1.35);
  }
  p->la_tilt_rad += rng.Uniform(-6, 6) * kDeg;
  WidenAtriumToAnnulus(p);
}

}  // namespace

double TruncatedEllipseArea(double a, double b, double z) {
  z = std::clamp(z, -1.0, 1.0);
  return a * b * (kPi / 2 + std::asin(z) + z * std::sqrt(1 - z * z));
}

AnatomyParams SampleAnatomy(Rng& rng, bool four_chamber, double depth_cm, double half_angle_rad,
                            Difficulty difficulty, Rng* tails_rng, int revision) {
  const bool fit_wall = revision >= 2;
  AnatomyParams p;
  const double d = depth_cm;
  p.four_chamber = four_chamber;
  const Tails tails = SampleTails(tails_rng, difficulty);
  const bool dilated = rng.Bernoulli(0.12);
  double len_frac = rng.ClampedNormal(0.575, 0.045, 0.43, 0.68);
  double ratio = std::exp(std::log(1.8) + 0.12 * rng.Normal());
  if (dilated) {
    len_frac *= rng.Uniform(1.08, 1.22);
    ratio *= rng.Uniform(0.78, 0.9);
  }
  // Tails on top of the base draw (capped below by the mitral limit: dilated hearts fill the
  // sector's length).
  len_frac *= tails.len_scale;
  ratio *= tails.ratio_scale;
  ratio = std::clamp(ratio, tails.dilated ? 1.05 : 1.25, 2.6);
  double wall_frac = rng.ClampedNormal(0.1, 0.012, 0.07, 0.13);
  const double wall_tail = rng.Uniform();
  if (wall_tail < 0.1)
    wall_frac *= rng.Uniform(0.55, 0.75);  // thin
  else if (wall_tail < 0.2)
    wall_frac *= rng.Uniform(1.3, 1.6);  // thick (hypertrophy)
  wall_frac *= tails.wall_scale;
  if (fit_wall) {
    // The cap on the cavity half-width this draw asks for (the sector may shrink both below).
    wall_frac = std::min(wall_frac, kMaxWallToCavityHalfWidth * 0.5 * len_frac / ratio);
  }
  p.trunc_z = rng.Uniform(0.2, 0.45);
  p.apex_wall_ratio = rng.Uniform(0.6, 0.85);
  p.long_strain_exp = rng.Uniform(0.15, 0.25);
  p.wall_ed_cm = wall_frac * d;
  p.tilt_rad = rng.ClampedNormal(9.0, 6.0, -6.0, 25.0) * kDeg;
  double epi_apex_frac = rng.ClampedNormal(0.12, 0.025, 0.06, 0.2);
  if (tails_rng != nullptr && IsRandomizedFamily(difficulty)) {
    // Wider tilt and apex depth (foreshortened views start deeper).
    p.tilt_rad += tails_rng->Uniform(-8, 12) * kDeg;
    epi_apex_frac = std::clamp(epi_apex_frac + tails_rng->Uniform(-0.05, 0.07), 0.03, 0.25);
    if (tails.dilated) epi_apex_frac = std::min(epi_apex_frac, 0.1);
  }
  p.apex_y_cm = epi_apex_frac * d + p.apex_wall_ratio * p.wall_ed_cm;
  p.apex_x_cm = rng.ClampedNormal(-0.03, 0.035, -0.12, 0.08) * d;
  // Keeps the mitral plane inside the sector (at most 88 % of the depth; 96 % for the tails).
  double len = len_frac * d;
  const double max_len = (tails.mitral_limit * d - p.apex_y_cm) / std::cos(p.tilt_rad);
  len = std::min(len, max_len);
  double b = 0.5 * len / ratio;
  if (fit_wall) p.wall_ed_cm = std::min(p.wall_ed_cm, kMaxWallToCavityHalfWidth * b);
  // Shrinks and recentres the ventricle until its epicardium fits in the sector (2 deg margin).
  // Moves it away from the narrow top of the sector first, then shrinks it. Revision 1 kept the
  // wall as drawn, which made slit cavities of thick-walled hearts in narrow sectors; revision
  // 2 keeps the wall within the cap of the shrinking cavity (hearts under the cap unchanged).
  for (int iter = 0; iter < 60 && !EpicardiumFits(p, len, b, half_angle_rad, d, tails.mitral_limit);
       ++iter) {
    p.apex_x_cm *= 0.9;
    p.tilt_rad *= 0.95;
    if (p.apex_y_cm - p.apex_wall_ratio * p.wall_ed_cm < 0.17 * d && iter % 2 == 0) {
      p.apex_y_cm += 0.005 * d;
    } else {
      len *= 0.98;
      b *= 0.98;
      if (fit_wall) p.wall_ed_cm = std::min(p.wall_ed_cm, kMaxWallToCavityHalfWidth * b);
    }
  }
  p.cavity_a_ed_cm = len / (1 + p.trunc_z);
  p.cavity_b_ed_cm = b;
  p.myo_area_cm2 =
      MyoArea(p.cavity_a_ed_cm, p.cavity_b_ed_cm, p.trunc_z, p.apex_wall_ratio, p.wall_ed_cm);
  const double annulus_half = p.cavity_b_ed_cm * std::sqrt(1 - Sq(p.trunc_z));
  p.la_q = rng.Uniform(0.45, 0.75);
  p.la_b_cm = annulus_half * rng.Uniform(0.98, 1.18) / std::sqrt(1 - Sq(p.la_q));
  p.la_a_cm = rng.ClampedNormal(0.115, 0.02, 0.08, 0.18) * d;
  p.la_tilt_rad = rng.ClampedNormal(0.0, 7.0, -15.0, 15.0) * kDeg;
  p.rv_a_cm = len * rng.Uniform(0.42, 0.5);
  p.rv_b_cm = p.cavity_b_ed_cm * rng.Uniform(0.55, 0.8);
  p.rv_wall_cm = rng.Uniform(0.25, 0.45) * d / 15.0;
  p.ra_a_cm = p.la_a_cm * rng.Uniform(0.75, 0.95);
  p.ra_b_cm = p.la_b_cm * rng.Uniform(0.7, 0.95);
  p.pericardium_cm = rng.Uniform(0.2, 0.4) * d / 15.0;
  if (tails_rng != nullptr && IsRandomizedFamily(difficulty)) {
    SampleShapeDetails(*tails_rng, difficulty, d, &p);
  }
  return p;
}

double LvVolumeMl(const AnatomyParams& p, double r) {
  const double k = p.long_strain_exp;
  const double a = p.cavity_a_ed_cm * std::pow(r, k);
  const double b = p.cavity_b_ed_cm * std::pow(r, 0.5 * (1 - k));
  const double z = p.trunc_z;
  return kPi * b * b * a * (z - z * z * z / 3 + 2.0 / 3.0);
}

HeartState PoseHeart(const AnatomyParams& p, double r, double opening) {
  HeartState h{};
  h.px = p.apex_x_cm;
  h.py = p.apex_y_cm;
  h.ux = std::sin(p.tilt_rad);
  h.uy = std::cos(p.tilt_rad);
  h.vx = h.uy;
  h.vy = -h.ux;
  const double lam_l = std::pow(r, p.long_strain_exp);
  const double lam_r = std::pow(r, 0.5 * (1 - p.long_strain_exp));
  h.a = p.cavity_a_ed_cm * lam_l;
  h.b = p.cavity_b_ed_cm * lam_r;
  h.s_c = h.a;
  h.s_mv = h.a * (1 + p.trunc_z);
  // Constant myocardial area: bisection on the wall thickness.
  double lo = 0, hi = 6 * p.wall_ed_cm;
  for (int i = 0; i < 40; ++i) {
    const double mid = 0.5 * (lo + hi);
    (MyoArea(h.a, h.b, p.trunc_z, p.apex_wall_ratio, mid) < p.myo_area_cm2 ? lo : hi) = mid;
  }
  const double wall = 0.5 * (lo + hi);
  h.a_e = h.a + p.apex_wall_ratio * wall;
  h.b_e = h.b + wall;
  h.inv_a2 = 1 / Sq(h.a);
  h.inv_b2 = 1 / Sq(h.b);
  h.inv_ae2 = 1 / Sq(h.a_e);
  h.inv_be2 = 1 / Sq(h.b_e);
  // Left atrium: its far end stays put while the mitral plane moves toward the apex.
  const double s_mv_ed = p.cavity_a_ed_cm * (1 + p.trunc_z);
  h.la_cos = std::cos(p.la_tilt_rad);
  h.la_sin = std::sin(p.la_tilt_rad);
  const double far = (1 + p.la_q) * p.la_a_cm;
  const double la_a = p.la_a_cm + 0.5 * (s_mv_ed - h.s_mv);
  const double la_b = p.la_b_cm * (1 + 0.1 * (1 - r));
  h.la_cs = s_mv_ed + (far - la_a) * h.la_cos;
  h.la_cw = (far - la_a) * h.la_sin;
  h.inv_la_a2 = 1 / Sq(la_a);
  h.inv_la_b2 = 1 / Sq(la_b);
  h.inv_law_a2 = 1 / Sq(la_a + p.pericardium_cm);
  h.inv_law_b2 = 1 / Sq(la_b + p.pericardium_cm);
  h.four_chamber = p.four_chamber;
  const double rv_scale = 0.8 + 0.2 * r;
  h.s_tv = h.s_mv - 0.25;
  h.rv_cs = h.s_tv - 0.4 * p.rv_a_cm;
  h.rv_cw = -(h.b_e + 0.75 * p.rv_b_cm * rv_scale);
  h.inv_rv_a2 = 1 / Sq(p.rv_a_cm * (0.9 + 0.1 * r));
  h.inv_rv_b2 = 1 / Sq(p.rv_b_cm * rv_scale);
  h.inv_rvw_a2 = 1 / Sq(p.rv_a_cm * (0.9 + 0.1 * r) + p.rv_wall_cm);
  h.inv_rvw_b2 = 1 / Sq(p.rv_b_cm * rv_scale + p.rv_wall_cm);
  const double across = la_b + 0.45 + p.ra_b_cm;
  h.ra_cs = h.la_cs + across * h.la_sin;
  h.ra_cw = h.la_cw - across * h.la_cos;
  h.inv_ra_a2 = 1 / Sq(p.ra_a_cm);
  h.inv_ra_b2 = 1 / Sq(p.ra_b_cm * (1 + 0.1 * (1 - r)));
  const double half = h.b * std::sqrt(1 - Sq(p.trunc_z));
  SetLeaflet(h.leaf[0], h.s_mv, -half, -1, 1.2 * half, opening);
  SetLeaflet(h.leaf[1], h.s_mv, half, 1, 0.9 * half, opening);
  h.leaf_half_cm = 0.05 + 0.01 * p.la_a_cm;
  h.leaf_box[0] = std::min({h.leaf[0][0], h.leaf[0][2], h.leaf[1][2]}) - h.leaf_half_cm;
  h.leaf_box[1] = std::max({h.leaf[0][0], h.leaf[0][2], h.leaf[1][2]}) + h.leaf_half_cm;
  h.leaf_box[2] = std::min({h.leaf[0][1], h.leaf[0][3], h.leaf[1][3]}) - h.leaf_half_cm;
  h.leaf_box[3] = std::max({h.leaf[1][1], h.leaf[0][3], h.leaf[1][3]}) + h.leaf_half_cm;
  h.lambda_l = lam_l;
  h.lambda_w = 0.5 * (1 + lam_r);
  h.s_mv_ed = s_mv_ed;
  h.b_ed = p.cavity_b_ed_cm;
  h.inv_a = 1 / h.a;
  h.inv_b = 1 / h.b;
  h.inv_ae = 1 / h.a_e;
  h.inv_be = 1 / h.b_e;
  h.inv_la_a = 1 / la_a;
  h.inv_la_b = 1 / la_b;
  h.shape = &p;
  // The epicardium follows the cavity's bumps (same displacement in cm across the lateral wall,
  // so the wall keeps its thickness) plus small bumps of its own.
  const double carry = h.b / h.b_e;
  h.epi.max_abs = p.epi_shape.max_abs;
  for (int k = 0; k < 3; ++k) {
    h.epi.c[k] = carry * p.cavity_shape.c[k] + p.epi_shape.c[k];
    h.epi.s[k] = carry * p.cavity_shape.s[k] + p.epi_shape.s[k];
    h.epi.max_abs += carry * (std::fabs(p.cavity_shape.c[k]) + std::fabs(p.cavity_shape.s[k]));
  }
  h.inv_ga2 = 1 / Sq(h.a_e + p.pericardium_gap_cm);
  h.inv_gb2 = 1 / Sq(h.b_e + p.pericardium_gap_cm);
  h.inv_pa2 = 1 / Sq(h.a_e + p.pericardium_gap_cm + p.pericardium_cm);
  h.inv_pb2 = 1 / Sq(h.b_e + p.pericardium_gap_cm + p.pericardium_cm);
  return h;
}

Label LabelAt(const HeartState& h, double s, double w) {
  const AnatomyParams& p = *h.shape;
  if (s <= h.s_mv) {
    const double ds = s - h.s_c, ds2 = ds * ds, w2 = w * w;
    const double taper = std::min(1.0, (h.s_mv - s) * h.inv_a * 2.5);
    if (InsideShape(ds2 * h.inv_a2 + w2 * h.inv_b2, ds * h.inv_a, w * h.inv_b, p.cavity_shape,
                    taper)) {
      return kLvCavity;
    }
    if (InsideShape(ds2 * h.inv_ae2 + w2 * h.inv_be2, ds * h.inv_ae, w * h.inv_be, h.epi, taper)) {
      return kLvMyocardium;
    }
    return kBackground;
  }
  const double ds = s - h.la_cs, dw = w - h.la_cw;
  const double l = ds * h.la_cos + dw * h.la_sin, t = -ds * h.la_sin + dw * h.la_cos;
  const double taper = std::min(1.0, (s - h.s_mv) * h.inv_la_a * 2.5);
  return InsideShape(l * l * h.inv_la_a2 + t * t * h.inv_la_b2, l * h.inv_la_a, t * h.inv_la_b,
                     p.la_shape, taper)
             ? kLeftAtrium
             : kBackground;
}

namespace {

// Squared distance in cm from heart-local (s, w) to a mark given in cavity-normalised units.
double MarkDist2(const HeartState& h, const SpecularMark& m, double s, double w) {
  const double seg[4] = {h.s_c + m.u0 * h.a, m.v0 * h.b, h.s_c + m.u1 * h.a, m.v1 * h.b};
  return SegmentDist2(seg, s, w);
}

// Specular marks and papillary muscles of the randomised family; kTissue when none applies.
Tissue MarkAt(const HeartState& h, double s, double w, Label label) {
  const AnatomyParams& p = *h.shape;
  if (label == kLvCavity) {
    for (int i = 0; i < p.num_papillary; ++i) {
      if (MarkDist2(h, p.papillary[i], s, w) < Sq(p.papillary[i].half_cm))
        return Tissue::kPapillary;
    }
  }
  for (int i = 0; i < p.num_specular; ++i) {
    if (MarkDist2(h, p.specular[i], s, w) < Sq(p.specular[i].half_cm)) return Tissue::kSpecular;
  }
  return Tissue::kTissue;
}

}  // namespace

Tissue TissueAt(const HeartState& h, double s, double w, Label* label) {
  *label = LabelAt(h, s, w);
  const double leaf2 = Sq(h.leaf_half_cm);
  const bool near_valve =
      s >= h.leaf_box[0] && s <= h.leaf_box[1] && w >= h.leaf_box[2] && w <= h.leaf_box[3];
  if (near_valve &&
      (SegmentDist2(h.leaf[0], s, w) < leaf2 || SegmentDist2(h.leaf[1], s, w) < leaf2)) {
    return Tissue::kLeaflet;
  }
  if (h.shape->num_specular > 0 || h.shape->num_papillary > 0) {
    const Tissue mark = MarkAt(h, s, w, *label);
    if (mark != Tissue::kTissue) return mark;
  }
  switch (*label) {
    case kLvCavity:
      return Tissue::kLvBlood;
    case kLvMyocardium:
      return Tissue::kMyocardium;
    case kLeftAtrium:
      return Tissue::kLaBlood;
    default:
      break;
  }
  if (s <= h.s_mv && Sq(s - h.s_c) * h.inv_pa2 + w * w * h.inv_pb2 <= 1 &&
      (h.shape->pericardium_gap_cm <= 0 || Sq(s - h.s_c) * h.inv_ga2 + w * w * h.inv_gb2 > 1)) {
    return Tissue::kPericardium;
  }
  if (h.four_chamber) {
    const double drs2 = Sq(s - h.rv_cs), drw2 = Sq(w - h.rv_cw);
    if (s <= h.s_tv && drs2 * h.inv_rv_a2 + drw2 * h.inv_rv_b2 <= 1) return Tissue::kRightBlood;
    if (s <= h.s_tv + 0.3 && drs2 * h.inv_rvw_a2 + drw2 * h.inv_rvw_b2 <= 1) {
      return Tissue::kRightWall;
    }
    if (s > h.s_tv) {
      const double ds = s - h.ra_cs, dw = w - h.ra_cw;
      const double l = ds * h.la_cos + dw * h.la_sin, t = -ds * h.la_sin + dw * h.la_cos;
      if (l * l * h.inv_ra_a2 + t * t * h.inv_ra_b2 <= 1) return Tissue::kRightBlood;
    }
  }
  if (s > h.s_mv - 0.3) {
    const double ds = s - h.la_cs, dw = w - h.la_cw;
    const double l = ds * h.la_cos + dw * h.la_sin, t = -ds * h.la_sin + dw * h.la_cos;
    if (l * l * h.inv_law_a2 + t * t * h.inv_law_b2 <= 1) return Tissue::kAtrialWall;
  }
  return Tissue::kTissue;
}

}  // namespace botm::synth
