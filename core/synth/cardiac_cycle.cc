#include "core/synth/cardiac_cycle.h"

#include <algorithm>
#include <cmath>

namespace botm::synth {
namespace {

constexpr double kPi = 3.14159265358979323846;

// Smooth 0..1 ramp (raised cosine) of x in [0, 1].
double Ramp(double x) {
  x = std::clamp(x, 0.0, 1.0);
  return 0.5 - 0.5 * std::cos(kPi * x);
}

double Wrap(double phase) { return phase - std::floor(phase); }

}  // namespace

CycleShape MakeCycleShape(double ejection_fraction, double heart_rate_bpm, double variation) {
  CycleShape c;
  c.ejection_fraction = ejection_fraction;
  const double hr01 = std::clamp((heart_rate_bpm - 50.0) / 60.0, 0.0, 1.0);
  c.systole_fraction = 0.30 + 0.10 * hr01 + 0.02 * variation;
  c.ivr_fraction = 0.06 + 0.01 * variation;
  c.early_fill_fraction = 0.20 - 0.03 * hr01;
  c.early_fill_share = 0.72 + 0.08 * variation;
  const double early_end = c.systole_fraction + c.ivr_fraction + c.early_fill_fraction;
  c.atrial_start = std::max(early_end + 0.03, 0.86 - 0.02 * variation);
  return c;
}

double VolumeFraction(const CycleShape& c, double phase) {
  const double p = Wrap(phase);
  const double ef = c.ejection_fraction;
  const double es_vol = 1.0 - ef;
  // A slight rise during isovolumic relaxation keeps the minimum unique (at end-systole).
  const double ivr_vol = es_vol + 0.01 * ef;
  const double early_vol = ivr_vol + c.early_fill_share * (1.0 - ivr_vol);
  const double pre_a_vol = early_vol + 0.25 * (1.0 - early_vol);
  const double t_ivr = c.systole_fraction;
  const double t_early = t_ivr + c.ivr_fraction;
  const double t_dia = t_early + c.early_fill_fraction;
  if (p < t_ivr) return 1.0 - ef * Ramp(p / t_ivr);
  if (p < t_early) return es_vol + (ivr_vol - es_vol) * (p - t_ivr) / c.ivr_fraction;
  if (p < t_dia)
    return ivr_vol + (early_vol - ivr_vol) * Ramp((p - t_early) / c.early_fill_fraction);
  if (p < c.atrial_start) {
    return early_vol + (pre_a_vol - early_vol) * (p - t_dia) / (c.atrial_start - t_dia);
  }
  return pre_a_vol + (1.0 - pre_a_vol) * Ramp((p - c.atrial_start) / (1.0 - c.atrial_start));
}

double MitralOpening(const CycleShape& c, double phase) {
  const double p = Wrap(phase);
  const double t_open = c.systole_fraction + c.ivr_fraction;
  const double t_dia = t_open + c.early_fill_fraction;
  if (p < t_open) return 0.0;
  if (p < t_dia) return Ramp((p - t_open) / 0.04) * (1.0 - 0.5 * Ramp((p - t_dia + 0.05) / 0.05));
  if (p < c.atrial_start) return 0.5;
  const double a = (p - c.atrial_start) / (1.0 - c.atrial_start);
  return 0.5 + 0.45 * Ramp(a / 0.3) - 0.95 * Ramp((a - 0.6) / 0.4);
}

}  // namespace botm::synth
