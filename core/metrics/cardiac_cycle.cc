// LV area curve, ED/ES detection and ejection fraction (declared in metrics.h).
#include <algorithm>
#include <climits>
#include <cmath>
#include <vector>

#include "core/metrics/metrics.h"

namespace botm::metrics {
namespace {

struct Extremum {
  int frame;
  bool is_max;
};

// Gaussian smoothing with replicated ends.
std::vector<double> Smooth(const std::vector<double>& a, double sigma) {
  if (!(sigma > 0)) return a;
  const int radius = static_cast<int>(std::ceil(3 * sigma));
  std::vector<double> kernel(2 * radius + 1);
  double total = 0;
  for (int k = -radius; k <= radius; ++k) {
    total += kernel[k + radius] = std::exp(-0.5 * k * k / (sigma * sigma));
  }
  const int n = static_cast<int>(a.size());
  std::vector<double> out(n, 0.0);
  for (int i = 0; i < n; ++i) {
    for (int k = -radius; k <= radius; ++k) {
      out[i] += kernel[k + radius] * a[std::clamp(i + k, 0, n - 1)];
    }
    out[i] /= total;
  }
  return out;
}

// Scans with hysteresis `delta`: an extremum is confirmed once the curve has moved away from
// it by delta, so maxima and minima alternate. A last, one-sided extremum is kept too.
std::vector<Extremum> ZigZag(const std::vector<double>& s, double delta) {
  enum class Seek { kEither, kMax, kMin } seek = Seek::kEither;
  std::vector<Extremum> out;
  int max_i = 0, min_i = 0;
  const int n = static_cast<int>(s.size());
  for (int i = 0; i < n; ++i) {
    if (s[i] > s[max_i]) max_i = i;
    if (s[i] < s[min_i]) min_i = i;
    if (seek != Seek::kMin && s[max_i] - s[i] >= delta) {
      out.push_back({max_i, true});
      seek = Seek::kMin;
      min_i = i;
    } else if (seek != Seek::kMax && s[i] - s[min_i] >= delta) {
      out.push_back({min_i, false});
      seek = Seek::kMax;
      max_i = i;
    }
  }
  if (seek == Seek::kMin) out.push_back({min_i, false});
  if (seek == Seek::kMax) out.push_back({max_i, true});
  return out;
}

// Removes neighbouring extrema closer than `min_gap` frames, weakest swing first; inner pairs
// go together and their outer neighbours keep the more extreme of the merged values.
void MergeClose(const std::vector<double>& s, int min_gap, std::vector<Extremum>* e) {
  while (e->size() >= 2) {
    int k = -1;
    double weakest = 0;
    for (size_t i = 0; i + 1 < e->size(); ++i) {
      if ((*e)[i + 1].frame - (*e)[i].frame >= min_gap) continue;
      const double swing = std::abs(s[(*e)[i + 1].frame] - s[(*e)[i].frame]);
      if (k < 0 || swing < weakest) {
        k = static_cast<int>(i);
        weakest = swing;
      }
    }
    if (k < 0) return;
    const int last = static_cast<int>(e->size()) - 1;
    if (k == 0 || k + 1 == last) {
      e->erase(e->begin() + (k == 0 ? 0 : last));
      continue;
    }
    auto more_extreme = [&s](const Extremum& a, const Extremum& b) {
      return (a.is_max ? s[b.frame] > s[a.frame] : s[b.frame] < s[a.frame]) ? b : a;
    };
    (*e)[k - 1] = more_extreme((*e)[k - 1], (*e)[k + 1]);
    (*e)[k + 2] = more_extreme((*e)[k + 2], (*e)[k]);
    e->erase(e->begin() + k, e->begin() + k + 2);
  }
}

// Returns true when `b` (on the first or last frame) lies within `tolerance` of the mean of
// the interior extrema of its kind, or when there are none.
bool MatchesInterior(const std::vector<double>& s, const std::vector<Extremum>& e,
                     const Extremum& b, double tolerance) {
  const int last = static_cast<int>(s.size()) - 1;
  double sum = 0;
  int count = 0;
  for (const Extremum& x : e) {
    if (x.is_max != b.is_max || x.frame == 0 || x.frame == last) continue;
    sum += s[x.frame];
    ++count;
  }
  return count == 0 || std::abs(s[b.frame] - sum / count) <= tolerance;
}

// Picks one beat (see EstimateClipEf); false when no ED or no ES was detected.
bool PickBeat(const std::vector<double>& area, const EdEs& phases, int* ed, int* es) {
  if (phases.ed_frames.empty() || phases.es_frames.empty()) return false;
  *ed = phases.ed_frames.front();
  for (int f : phases.ed_frames) {
    if (area[f] > area[*ed]) *ed = f;
  }
  const auto next_ed = std::upper_bound(phases.ed_frames.begin(), phases.ed_frames.end(), *ed);
  const int cycle_end = next_ed == phases.ed_frames.end() ? INT_MAX : *next_ed;
  *es = -1;
  for (int f : phases.es_frames) {
    if (f > *ed && f < cycle_end && (*es < 0 || area[f] < area[*es])) *es = f;
  }
  if (*es >= 0) return true;
  for (int f : phases.es_frames) {
    if (f < *ed) *es = f;
  }
  return *es >= 0;
}

}  // namespace

std::vector<double> LvAreaCurve(const std::vector<cv::Mat>& labels, uint8_t lv_label) {
  std::vector<double> curve;
  curve.reserve(labels.size());
  for (const cv::Mat& m : labels) {
    CV_Assert(m.empty() || m.type() == CV_8UC1);
    curve.push_back(m.empty() ? 0.0 : static_cast<double>(cv::countNonZero(m == lv_label)));
  }
  return curve;
}

EdEs DetectEdEs(const std::vector<double>& lv_area, double min_prominence_fraction) {
  EdEsOptions options;
  options.min_prominence_fraction = min_prominence_fraction;
  return DetectEdEs(lv_area, options);
}

EdEs DetectEdEs(const std::vector<double>& lv_area, const EdEsOptions& options) {
  EdEs result;
  if (lv_area.size() < 3) return result;
  const std::vector<double> s = Smooth(lv_area, options.smoothing_sigma_frames);
  const auto [lo, hi] = std::minmax_element(s.begin(), s.end());
  const double range = *hi - *lo;
  if (!(range > 1e-9 * std::max(1.0, std::abs(*hi)))) return result;
  std::vector<Extremum> e = ZigZag(s, std::max(options.min_prominence_fraction, 1e-6) * range);
  MergeClose(s, options.min_separation_frames, &e);
  const int last = static_cast<int>(s.size()) - 1;
  for (const Extremum& x : e) {
    if (x.frame == 0 || x.frame == last) {
      if (!options.accept_boundary_extrema) continue;
      if (!MatchesInterior(s, e, x, options.boundary_match_fraction * range)) continue;
    }
    (x.is_max ? result.ed_frames : result.es_frames).push_back(x.frame);
  }
  return result;
}

double EjectionFraction(double edv, double esv) {
  if (!(edv > 0)) return 0.0;
  return 100.0 * (edv - esv) / edv;
}

ClipEf EstimateClipEf(const std::vector<cv::Mat>& labels, double spacing_x_mm, double spacing_y_mm,
                      uint8_t lv_label) {
  ClipEf ef;
  if (labels.size() < 2 || !(spacing_x_mm > 0) || !(spacing_y_mm > 0)) return ef;
  const std::vector<double> area = LvAreaCurve(labels, lv_label);
  if (!PickBeat(area, DetectEdEs(area), &ef.ed, &ef.es)) {
    ef.ed = static_cast<int>(std::max_element(area.begin(), area.end()) - area.begin());
    ef.es = static_cast<int>(std::min_element(area.begin(), area.end()) - area.begin());
  }
  const LvGeometry ed = MeasureLv(labels[ef.ed], spacing_x_mm, spacing_y_mm, lv_label);
  const LvGeometry es = MeasureLv(labels[ef.es], spacing_x_mm, spacing_y_mm, lv_label);
  ef.edv_area_length_ml = ed.volume_area_length_ml;
  ef.esv_area_length_ml = es.volume_area_length_ml;
  ef.edv_discs_ml = ed.volume_discs_ml;
  ef.esv_discs_ml = es.volume_discs_ml;
  ef.ef_area_length_pct = EjectionFraction(ed.volume_area_length_ml, es.volume_area_length_ml);
  ef.ef_discs_pct = EjectionFraction(ed.volume_discs_ml, es.volume_discs_ml);
  ef.valid = ed.volume_area_length_ml > 0 && ed.volume_discs_ml > 0 && ef.ed != ef.es;
  return ef;
}

}  // namespace botm::metrics
