// Admission control: refuses new streams (RESOURCE_EXHAUSTED) when the stream count or the
// estimated load (sum of the streams' frame rates) would exceed what the model can serve,
// instead of letting latency grow without bound; and tells an admitted stream how fast it may
// send, so that a stream that declared less than it sends cannot starve the rest.
//
// Retry hints: refusals here are transient and carry a google.rpc.RetryInfo detail (see
// status_util.h) whose delay is derived from the measured drain rate: the mean interval between
// stream ends over the last `drain_window` ends up to now, i.e. the expected wait for the next
// free slot, clamped to [min_retry_ms, max_retry_ms]; before two streams have ended,
// default_retry_ms.
//
// Thread-safety: thread-safe. Streams hold a Ticket; destroying it releases the stream's slot
// and load (a cancelled stream releases it when the cancel arrives, not when its last frame is
// answered).
#ifndef BOTM_SERVER_ADMISSION_H_
#define BOTM_SERVER_ADMISSION_H_

#include <cstdint>
#include <deque>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/clock.h"

namespace botm::server {

struct AdmissionOptions {
  // Most concurrent streams (SegmentStream and SegmentClip together). >= 1.
  int max_streams = 32;
  // Frames/s the engine sustains; <= 0 = measure at warm-up (BotmServer calls SetCapacity) or,
  // when nothing is measured, no load check. A value > 0 is used as given (e.g. from a test or
  // an operator who knows the device).
  double capacity_frames_per_second = 0.0;
  // Admits while the sum of frame rates stays <= capacity * load_factor; <= 0 = no check (and
  // no rate policing).
  double load_factor = 1.0;
  // Frame rate assumed for a stream whose config says 0 (unknown), frames/s.
  double default_frame_rate_hz = 30.0;
  // A stream may send at its declared rate times this before it is slowed down.
  double rate_tolerance = 1.25;
  // Retry hints, milliseconds: before any drain was measured; bounds of the measured one.
  int64_t default_retry_ms = 1000;
  int64_t min_retry_ms = 50;
  int64_t max_retry_ms = 30000;
  // Stream ends the drain rate is measured over. >= 2.
  int drain_window = 16;
  // Time source of the drain measurement; null = Clock::Real(). Not owned.
  const Clock* clock = nullptr;
};

class AdmissionController {
 public:
  class Ticket;

  explicit AdmissionController(const AdmissionOptions& options);

  // Sets the measured capacity in frames/s, unless the options fixed one.
  void SetCapacity(double frames_per_second);

  // Takes a stream slot. ResourceExhausted (with a RetryInfo detail) when max_streams are open.
  absl::StatusOr<std::unique_ptr<Ticket>> AdmitStream();
  // Adds a stream's frame rate (frames/s; 0 = default) to the load. ResourceExhausted (with a
  // RetryInfo detail) when the load would exceed capacity; the first stream is always admitted
  // so that an idle server never refuses work. A ticket's rate can be set once.
  absl::Status AdmitLoad(Ticket* ticket, double frame_rate_hz);

  // Frames/s the ticket's stream may send now: its admitted rate x rate_tolerance plus the
  // capacity no stream has claimed. Infinite without a load check.
  double AllowedRate(const Ticket& ticket) const;

  // The retry hint of a refusal now (see the class comment).
  absl::Duration RetryDelay() const;

  int active_streams() const;

 private:
  void Release(double rate);
  absl::Duration RetryDelayLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool LoadChecked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const AdmissionOptions options_;
  const Clock* const clock_;
  mutable absl::Mutex mu_;
  double capacity_ ABSL_GUARDED_BY(mu_);
  int streams_ ABSL_GUARDED_BY(mu_) = 0;
  double load_ ABSL_GUARDED_BY(mu_) = 0.0;
  std::deque<absl::Time> ends_ ABSL_GUARDED_BY(mu_);  // last drain_window stream ends
};

class AdmissionController::Ticket {
 public:
  ~Ticket() { owner_->Release(rate_); }
  Ticket(const Ticket&) = delete;
  Ticket& operator=(const Ticket&) = delete;

 private:
  friend class AdmissionController;
  explicit Ticket(AdmissionController* owner) : owner_(owner) {}
  AdmissionController* owner_;
  double rate_ = 0.0;  // guarded by owner_->mu_
};

}  // namespace botm::server

#endif  // BOTM_SERVER_ADMISSION_H_
