// Per-stream policing of the measured frame rate (a token bucket): a stream may send a burst of
// `burst_frames`, then frames at the rate admission control allows it (AllowedRate: what it
// declared, with a tolerance, plus capacity no stream has claimed). A stream that sends faster
// is slowed by backpressure: its next read is delayed, so gRPC flow control slows the client
// and the frames it sends are still all answered.
//
// Thread-safety: not thread-safe; the owning reactor serialises calls.
#ifndef BOTM_SERVER_RATE_POLICER_H_
#define BOTM_SERVER_RATE_POLICER_H_

#include <algorithm>

#include "absl/time/time.h"

namespace botm::server {

class RatePolicer {
 public:
  explicit RatePolicer(int burst_frames = 8) : burst_(std::max(1, burst_frames)) {}

  // Takes one frame's token at `now` with the bucket refilled at `rate_fps` (infinite = no
  // policing). Returns how long the caller must wait before reading the next frame (zero when
  // a token is left).
  absl::Duration Take(absl::Time now, double rate_fps) {
    if (!(rate_fps < 1e300)) return absl::ZeroDuration();  // infinite or NaN: not policed
    if (last_ == absl::InfinitePast()) {
      tokens_ = burst_;
    } else {
      tokens_ = std::min<double>(burst_, tokens_ + absl::ToDoubleSeconds(now - last_) * rate_fps);
    }
    last_ = now;
    tokens_ -= 1.0;
    if (tokens_ >= 0.0 || rate_fps <= 0) return absl::ZeroDuration();
    return absl::Seconds(-tokens_ / rate_fps);
  }

 private:
  const int burst_;
  double tokens_ = 0.0;
  absl::Time last_ = absl::InfinitePast();
};

}  // namespace botm::server

#endif  // BOTM_SERVER_RATE_POLICER_H_
