#include "core/train/eval_stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/metrics/metrics.h"

namespace botm::train {
namespace {

nlohmann::json Mean(const std::vector<double>& v) {
  if (v.empty()) return nullptr;
  return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

template <typename T>
void Append(std::vector<T>* to, const std::vector<T>& from) {
  to->insert(to->end(), from.begin(), from.end());
}

nlohmann::json Median(std::vector<double> v) {
  if (v.empty()) return nullptr;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Relative LV area change from ED to ES in %, or NaN when the ED area is zero.
double AreaChangePct(const cv::Mat& ed, const cv::Mat& es) {
  const double a_ed = cv::countNonZero(ed == 1), a_es = cv::countNonZero(es == 1);
  return a_ed > 0 ? 100.0 * (a_ed - a_es) / a_ed : std::nan("");
}

}  // namespace

void BinStats::AddRobustness(const EvalClip& clip) {
  for (size_t i = 0; i < clip.labels.size(); ++i) {
    if (clip.labels[i].empty()) continue;
    const cv::Mat& t = clip.labels[i];
    const cv::Mat& p = clip.predicted[i];
    for (int c = 0; c < kEvalClasses; ++c) {
      const double truth = cv::countNonZero(t == c + 1);
      if (truth > 0) area_ratio_[c].push_back(cv::countNonZero(p == c + 1) / truth);
    }
    heart_dice_.push_back(metrics::Dice(p > 0, t > 0, 255));
  }
  const int n = static_cast<int>(clip.labels.size());
  if (clip.ed < 0 || clip.es < 0 || clip.ed >= n || clip.es >= n) return;
  if (clip.labels[clip.ed].empty() || clip.labels[clip.es].empty()) return;
  // Clamped to [-100, 100]: an ED frame predicted almost empty would otherwise dominate the mean.
  const double pred =
      std::clamp(AreaChangePct(clip.predicted[clip.ed], clip.predicted[clip.es]), -100.0, 100.0);
  const double truth = AreaChangePct(clip.labels[clip.ed], clip.labels[clip.es]);
  if (std::isnan(pred) || std::isnan(truth)) return;
  const auto ratio = [&](int t) {
    return cv::countNonZero(clip.predicted[t] == 1) /
           std::max(1.0, static_cast<double>(cv::countNonZero(clip.labels[t] == 1)));
  };
  change_cases_.push_back({clip.id, pred, truth, std::fabs(pred - truth),
                           metrics::Dice(clip.predicted[clip.ed], clip.labels[clip.ed], 1),
                           metrics::Dice(clip.predicted[clip.es], clip.labels[clip.es], 1),
                           ratio(clip.ed), ratio(clip.es)});
}

void BinStats::Add(const EvalClip& clip) {
  ++clips_;
  frames_ += static_cast<int>(clip.images.size());
  seconds_ += clip.seconds;
  std::vector<cv::Mat> truth, pred;
  for (size_t i = 0; i < clip.labels.size(); ++i) {
    if (clip.labels[i].empty()) continue;
    truth.push_back(clip.labels[i]);
    pred.push_back(clip.predicted[i]);
    for (int c = 0; c < kEvalClasses; ++c) {
      const uint8_t label = static_cast<uint8_t>(c + 1);
      dice_[c].push_back(metrics::Dice(pred.back(), truth.back(), label));
      const metrics::SurfaceDistance sd = metrics::SurfaceDistances(
          pred.back(), truth.back(), label, clip.spacing_mm_x, clip.spacing_mm_y);
      if (sd.valid) hd95_[c].push_back(sd.hd95_mm), msd_[c].push_back(sd.msd_mm);
    }
  }
  if (truth.size() >= 2) {
    const metrics::ClipEf p = metrics::EstimateClipEf(pred, clip.spacing_mm_x, clip.spacing_mm_y);
    const metrics::ClipEf g = metrics::EstimateClipEf(truth, clip.spacing_mm_x, clip.spacing_mm_y);
    if (p.valid && g.valid) {
      ef_err_gt_al_.push_back(std::fabs(p.ef_area_length_pct - g.ef_area_length_pct));
      ef_err_gt_discs_.push_back(std::fabs(p.ef_discs_pct - g.ef_discs_pct));
    }
    if (p.valid && clip.true_ef_pct >= 0) {
      ef_err_al_.push_back(std::fabs(p.ef_area_length_pct - clip.true_ef_pct));
      ef_err_discs_.push_back(std::fabs(p.ef_discs_pct - clip.true_ef_pct));
    }
  }
  if (truth.size() == clip.images.size() && truth.size() >= 3) {
    const auto tp = metrics::MeasureTemporalConsistency(metrics::LvAreaCurve(pred));
    const auto tg = metrics::MeasureTemporalConsistency(metrics::LvAreaCurve(truth));
    flagged_.push_back(tp.flagged_fraction);
    flicker_.push_back(tp.flicker);
    gt_flagged_.push_back(tg.flagged_fraction);
    gt_flicker_.push_back(tg.flicker);
    label_flicker_.push_back(metrics::LabelFlicker(pred));
  }
  AddRobustness(clip);
}

void BinStats::Merge(const BinStats& o) {
  clips_ += o.clips_;
  frames_ += o.frames_;
  seconds_ += o.seconds_;
  for (int c = 0; c < kEvalClasses; ++c) {
    Append(&dice_[c], o.dice_[c]), Append(&hd95_[c], o.hd95_[c]), Append(&msd_[c], o.msd_[c]);
  }
  Append(&ef_err_al_, o.ef_err_al_), Append(&ef_err_discs_, o.ef_err_discs_);
  Append(&ef_err_gt_al_, o.ef_err_gt_al_), Append(&ef_err_gt_discs_, o.ef_err_gt_discs_);
  Append(&flagged_, o.flagged_), Append(&flicker_, o.flicker_);
  Append(&gt_flagged_, o.gt_flagged_), Append(&gt_flicker_, o.gt_flicker_);
  Append(&label_flicker_, o.label_flicker_);
  for (int c = 0; c < kEvalClasses; ++c) Append(&area_ratio_[c], o.area_ratio_[c]);
  Append(&heart_dice_, o.heart_dice_), Append(&change_cases_, o.change_cases_);
}

nlohmann::json BinStats::ToJson() const {
  nlohmann::json j;
  j["clips"] = clips_;
  j["frames"] = frames_;
  for (int c = 0; c < kEvalClasses; ++c) {
    j["dice"][kEvalClassNames[c]] = Mean(dice_[c]);
    j["hd95_mm"][kEvalClassNames[c]] = Mean(hd95_[c]);
    j["msd_mm"][kEvalClassNames[c]] = Mean(msd_[c]);
  }
  j["ef"] = {{"mae_area_length_vs_true", Mean(ef_err_al_)},
             {"mae_discs_vs_true", Mean(ef_err_discs_)},
             {"mae_area_length_vs_gt_masks", Mean(ef_err_gt_al_)},
             {"mae_discs_vs_gt_masks", Mean(ef_err_gt_discs_)},
             {"clips", ef_err_gt_al_.size()}};
  j["temporal"] = {
      {"flagged_fraction", Mean(flagged_)},    {"flicker", Mean(flicker_)},
      {"label_flicker", Mean(label_flicker_)}, {"gt_flagged_fraction", Mean(gt_flagged_)},
      {"gt_flicker", Mean(gt_flicker_)},       {"clips", flagged_.size()}};
  nlohmann::json& r = j["robustness"];
  // Per-clip ED/ES columns, in the order the clips were added.
  const auto column = [&](double ChangeCase::*field) {
    std::vector<double> v;
    v.reserve(change_cases_.size());
    for (const ChangeCase& c : change_cases_) v.push_back(c.*field);
    return v;
  };
  r["heart_dice"] = Mean(heart_dice_);
  for (int c = 0; c < kEvalClasses; ++c) {
    r["area_ratio_median"][kEvalClassNames[c]] = Median(area_ratio_[c]);
  }
  r["lv_area_ratio_median_ed"] = Median(column(&ChangeCase::lv_ratio_ed));
  r["lv_area_ratio_median_es"] = Median(column(&ChangeCase::lv_ratio_es));
  const std::vector<double>& lv = dice_[0];
  r["lv_dice_min"] = lv.empty() ? nlohmann::json(nullptr)
                                : nlohmann::json(*std::min_element(lv.begin(), lv.end()));
  r["lv_dice_below_0_5"] =
      lv.empty()
          ? nlohmann::json(nullptr)
          : nlohmann::json(std::count_if(lv.begin(), lv.end(), [](double d) { return d < 0.5; }) /
                           static_cast<double>(lv.size()));
  const std::vector<double> change_err = column(&ChangeCase::error);
  r["lv_area_change"] = {{"predicted_pct", Mean(column(&ChangeCase::predicted))},
                         {"true_pct", Mean(column(&ChangeCase::truth))},
                         {"mean_abs_error_points", Mean(change_err)},
                         {"median_abs_error_points", Median(change_err)},
                         {"clips", change_cases_.size()}};
  // Largest error first; ties by id so the list does not depend on the order clips were added.
  std::vector<ChangeCase> worst = change_cases_;
  std::sort(worst.begin(), worst.end(), [](const ChangeCase& a, const ChangeCase& b) {
    return a.error != b.error ? a.error > b.error : a.id < b.id;
  });
  if (worst.size() > static_cast<size_t>(kWorstChangeClips)) worst.resize(kWorstChangeClips);
  nlohmann::json& list = r["lv_area_change"]["worst"];
  list = nlohmann::json::array();
  for (const ChangeCase& w : worst) {
    list.push_back({{"clip", w.id},
                    {"predicted_pct", w.predicted},
                    {"true_pct", w.truth},
                    {"error_points", w.error},
                    {"lv_dice_ed", w.lv_dice_ed},
                    {"lv_dice_es", w.lv_dice_es},
                    {"lv_area_ratio_ed", w.lv_ratio_ed},
                    {"lv_area_ratio_es", w.lv_ratio_es}});
  }
  j["ms_per_frame"] = frames_ > 0 ? 1000.0 * seconds_ / frames_ : 0.0;
  return j;
}

}  // namespace botm::train
