#include "core/train/eval_stats.h"

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

}  // namespace

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
  j["ms_per_frame"] = frames_ > 0 ? 1000.0 * seconds_ / frames_ : 0.0;
  return j;
}

}  // namespace botm::train
