// Live partner selection: which earlier frame a stream pairs frame t with (frame t - K).
// Torch-free and dependency-free: the model card, the Segmenter, the server's session code and
// botm-eval share these definitions.
#ifndef BOTM_CORE_MODEL_PARTNER_H_
#define BOTM_CORE_MODEL_PARTNER_H_

#include <algorithm>
#include <cmath>

namespace botm {

// Largest partner offset a card, a stream or an evaluation may ask for (frames).
inline constexpr int kMaxPartnerOffset = 64;
// Largest partner interval a card, a stream or an evaluation may ask for (milliseconds; two
// cardiac cycles at 60 beats/min, far past any useful partner).
inline constexpr int kMaxPartnerIntervalMs = 2000;

// The offset K (frames) that spans `interval_ms` at `frame_rate_hz`: round(interval x fps /
// 1000), clamped to [1, kMaxPartnerOffset]. 1 when the rate is not a positive finite number.
inline int PartnerOffsetForInterval(int interval_ms, double frame_rate_hz) {
  if (!(frame_rate_hz > 0) || !std::isfinite(frame_rate_hz) || interval_ms <= 0) return 1;
  const double k = std::round(static_cast<double>(interval_ms) * frame_rate_hz / 1000.0);
  return static_cast<int>(std::clamp(k, 1.0, static_cast<double>(kMaxPartnerOffset)));
}

}  // namespace botm

#endif  // BOTM_CORE_MODEL_PARTNER_H_
