#include "server/session.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "core/metrics/metrics.h"
#include "core/model/model_card.h"
#include "server/logging.h"
#include "server/status_util.h"

namespace botm::server {
namespace {

bool FiniteNonNegative(double v) { return std::isfinite(v) && v >= 0.0; }

}  // namespace

absl::StatusOr<std::unique_ptr<Session>> Session::Create(const v1::StreamConfig& config,
                                                         const ModelInfo& model,
                                                         const SessionOptions& options) {
  auto invalid = [](absl::string_view field, absl::string_view message) {
    return WithFieldViolation(absl::InvalidArgumentError(message), field);
  };
  if (!config.model_name().empty() && config.model_name() != model.name) {
    return invalid("config.model_name",
                   absl::StrCat("unknown model \"", LogSafe(config.model_name(), 64),
                                "\"; this server has \"", model.name, "\""));
  }
  if (!FiniteNonNegative(config.pixel_spacing_mm_x())) {
    return invalid("config.pixel_spacing_mm_x", "pixel spacing must be finite and >= 0");
  }
  if (!FiniteNonNegative(config.pixel_spacing_mm_y())) {
    return invalid("config.pixel_spacing_mm_y", "pixel spacing must be finite and >= 0");
  }
  if (!FiniteNonNegative(config.frame_rate_hz())) {
    return invalid("config.frame_rate_hz", "frame_rate_hz must be finite and >= 0");
  }
  if (!v1::PairingMode_IsValid(config.pairing())) {
    return invalid("config.pairing", absl::StrCat("unknown pairing ", config.pairing()));
  }
  if (!v1::MaskEncoding_IsValid(config.mask_encoding())) {
    return invalid("config.mask_encoding",
                   absl::StrCat("unknown mask_encoding ", config.mask_encoding()));
  }
  if (!v1::OverflowPolicy_IsValid(config.overflow())) {
    return invalid("config.overflow", absl::StrCat("unknown overflow ", config.overflow()));
  }
  if (config.pairing() == v1::PAIRING_MODE_NEXT &&
      config.overflow() == v1::OVERFLOW_POLICY_LATEST_ONLY) {
    return invalid("config.overflow",
                   "PAIRING_MODE_NEXT cannot be combined with OVERFLOW_POLICY_LATEST_ONLY");
  }
  if (config.partner_offset() > static_cast<uint32_t>(kMaxPartnerOffset)) {
    return invalid("config.partner_offset",
                   absl::StrCat("partner_offset must be at most ", kMaxPartnerOffset, ", got ",
                                config.partner_offset()));
  }
  if (config.pairing() == v1::PAIRING_MODE_NEXT && config.partner_offset() > 1) {
    return invalid("config.partner_offset",
                   "partner_offset applies to PAIRING_MODE_PREVIOUS; PAIRING_MODE_NEXT pairs t "
                   "with t+1");
  }
  if (config.partner_interval_ms() > static_cast<uint32_t>(kMaxPartnerIntervalMs)) {
    return invalid("config.partner_interval_ms",
                   absl::StrCat("partner_interval_ms must be at most ", kMaxPartnerIntervalMs,
                                ", got ", config.partner_interval_ms()));
  }
  if (config.partner_interval_ms() > 0) {
    if (config.pairing() == v1::PAIRING_MODE_NEXT) {
      return invalid("config.partner_interval_ms",
                     "partner_interval_ms applies to PAIRING_MODE_PREVIOUS; PAIRING_MODE_NEXT "
                     "pairs t with t+1");
    }
    if (config.partner_offset() > 0) {
      return invalid("config.partner_interval_ms",
                     "give partner_offset (frames) or partner_interval_ms (time), not both");
    }
    if (config.frame_rate_hz() <= 0) {
      return invalid("config.partner_interval_ms",
                     "partner_interval_ms needs config.frame_rate_hz (the stream's frame rate) "
                     "to turn the interval into frames");
    }
  }
  return std::unique_ptr<Session>(new Session(config, model, options));
}

EngineStreamOptions Session::engine_options() const {
  EngineStreamOptions o;
  o.pairing = config_.pairing() == v1::PAIRING_MODE_NEXT ? Segmenter::Pairing::kNext
                                                         : Segmenter::Pairing::kPrevious;
  o.latest_only = config_.overflow() == v1::OVERFLOW_POLICY_LATEST_ONLY;
  o.partner_offset = EffectivePartnerOffset(o.pairing, static_cast<int>(config_.partner_offset()),
                                            model_, config_.frame_rate_hz(),
                                            static_cast<int>(config_.partner_interval_ms()));
  return o;
}

absl::Status Session::AcceptFrameIndex(uint64_t index) {
  if (index != next_index_) {
    return WithFieldViolation(absl::FailedPreconditionError(absl::StrCat(
                                  "frame index ", index, " out of order; expected ", next_index_)),
                              "frame.index");
  }
  if (static_cast<int64_t>(next_index_) >= options_.max_frames_per_clip) {
    // Not transient: retrying cannot help, so no retry hint.
    return WithFieldViolation(
        absl::ResourceExhaustedError(
            absl::StrCat("more than ", options_.max_frames_per_clip, " frames in one stream")),
        "frame.index");
  }
  ++next_index_;
  return absl::OkStatus();
}

void Session::Record(BuiltFrame* frame) {
  if (frame->segmented) {
    ++segmented_;
  } else if (frame->dropped) {
    ++dropped_;
  } else {
    ++failed_;
  }
  area_px_.push_back(frame->lv_area_px);
  area_mm2_.push_back(frame->lv_area_mm2);
  volume_ml_.push_back(frame->lv_volume_ml);
  const double held = curve_.empty() ? 0.0 : curve_.back();
  curve_.push_back(frame->segmented ? frame->lv_area_px : held);
  DetectOnline(frame);
}

// Runs the clip detector on a trailing window and reports the newest extremum confirmed by
// online_confirm_frames later frames that was not reported before.
void Session::DetectOnline(BuiltFrame* frame) {
  const int64_t n = static_cast<int64_t>(curve_.size());
  const int64_t start = std::max<int64_t>(0, n - options_.online_window_frames);
  const std::vector<double> window(curve_.begin() + start, curve_.end());
  metrics::EdEsOptions o;
  o.accept_boundary_extrema = false;
  const metrics::EdEs found = metrics::DetectEdEs(window, o);
  int64_t best = -1;
  v1::CardiacPhase phase = v1::CARDIAC_PHASE_UNSPECIFIED;
  auto consider = [&](const std::vector<int>& frames, v1::CardiacPhase p) {
    for (int f : frames) {
      const int64_t abs = start + f;
      if (abs > last_reported_ && abs <= n - 1 - options_.online_confirm_frames && abs > best) {
        best = abs;
        phase = p;
      }
    }
  };
  consider(found.ed_frames, v1::CARDIAC_PHASE_END_DIASTOLE);
  consider(found.es_frames, v1::CARDIAC_PHASE_END_SYSTOLE);
  if (best < 0) return;
  last_reported_ = best;
  frame->result.set_phase(phase);
  frame->result.set_phase_frame_index(static_cast<uint64_t>(best));
}

v1::ClipSummary Session::Summary() const {
  v1::ClipSummary s;
  s.set_frames_received(next_index_);
  s.set_frames_segmented(segmented_);
  s.set_frames_failed(failed_);
  s.set_frames_dropped(dropped_);
  const metrics::EdEs found = metrics::DetectEdEs(curve_);
  for (int f : found.ed_frames) s.add_ed_frames(f);
  for (int f : found.es_frames) s.add_es_frames(f);
  for (double a : area_px_) s.add_lv_area_px(a);
  const bool spacing = config_.pixel_spacing_mm_x() > 0 && config_.pixel_spacing_mm_y() > 0;
  if (spacing) {
    for (double a : area_mm2_) s.add_lv_area_mm2(a);
  }
  if (spacing && !found.ed_frames.empty() && !found.es_frames.empty()) {
    // ED: the first detected ED; ES: the first ES after it, else the last one before it.
    const int ed = found.ed_frames.front();
    int es = -1;
    for (int f : found.es_frames) {
      if (f > ed) {
        es = f;
        break;
      }
    }
    if (es < 0) es = found.es_frames.back();
    const double ef = metrics::EjectionFraction(volume_ml_[ed], volume_ml_[es]);
    if (volume_ml_[ed] > 0) {
      s.set_has_ejection_fraction(true);
      s.set_ejection_fraction_pct(ef);
    }
  }
  SetModelIdentity(model_, s.mutable_model());
  s.set_partner_offset(static_cast<uint32_t>(engine_options().partner_offset));
  return s;
}

}  // namespace botm::server
