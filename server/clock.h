// The time source of the engine, admission control and rate policing. Production code uses
// Clock::Real(); tests inject a fake clock and advance it, so that timeouts (the batch timeout,
// deadlines, drain-rate windows) are driven without sleeping.
//
// Thread-safety: implementations are thread-safe.
#ifndef BOTM_SERVER_CLOCK_H_
#define BOTM_SERVER_CLOCK_H_

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace botm::server {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
  // With `mu` held: waits (releasing `mu`) until `cond` holds or Now() >= deadline; returns
  // whether `cond` holds. Like absl::Mutex::AwaitWithDeadline, on this clock's time.
  virtual bool AwaitWithDeadline(absl::Mutex* mu, const absl::Condition& cond,
                                 absl::Time deadline) const = 0;
  // The wall clock (absl::Now). Never null; lives for the whole process.
  static const Clock* Real();
};

}  // namespace botm::server

#endif  // BOTM_SERVER_CLOCK_H_
