// Admission control: refuses new streams (RESOURCE_EXHAUSTED with a retry hint) when the
// stream count or the estimated load (sum of the streams' frame rates) would exceed what the
// model can serve, instead of letting latency grow without bound.
//
// Thread-safety: thread-safe. Streams hold a Ticket; destroying it releases the stream's slot
// and load.
#ifndef BOTM_SERVER_ADMISSION_H_
#define BOTM_SERVER_ADMISSION_H_

#include <cstdint>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace botm::server {

struct AdmissionOptions {
  // Most concurrent streams (SegmentStream and SegmentClip together). >= 1.
  int max_streams = 32;
  // Frames/s the engine sustains; <= 0 disables the load check. Usually set later with
  // SetCapacity() from the engine's warm-up measurement.
  double capacity_frames_per_second = 0.0;
  // Admits while the sum of frame rates stays <= capacity * load_factor; <= 0 = no check.
  double load_factor = 1.0;
  // Frame rate assumed for a stream whose config says 0 (unknown), frames/s.
  double default_frame_rate_hz = 30.0;
  // Retry hint returned to refused clients, milliseconds.
  int64_t retry_after_ms = 1000;
};

class AdmissionController {
 public:
  class Ticket;

  explicit AdmissionController(const AdmissionOptions& options)
      : options_(options), capacity_(options.capacity_frames_per_second) {}

  // Sets the capacity in frames/s (<= 0 disables the load check).
  void SetCapacity(double frames_per_second);

  // Takes a stream slot. ResourceExhausted when max_streams are open.
  absl::StatusOr<std::unique_ptr<Ticket>> AdmitStream();
  // Adds a stream's frame rate (frames/s; 0 = default) to the load. ResourceExhausted when the
  // load would exceed capacity; the first stream is always admitted so that an idle server
  // never refuses work. A ticket's rate can be set once.
  absl::Status AdmitLoad(Ticket* ticket, double frame_rate_hz);

  int active_streams() const;
  double load_frames_per_second() const;
  int64_t retry_after_ms() const { return options_.retry_after_ms; }

 private:
  void Release(double rate);
  const AdmissionOptions options_;
  mutable absl::Mutex mu_;
  double capacity_ ABSL_GUARDED_BY(mu_);
  int streams_ ABSL_GUARDED_BY(mu_) = 0;
  double load_ ABSL_GUARDED_BY(mu_) = 0.0;
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
  double rate_ = 0.0;
};

}  // namespace botm::server

#endif  // BOTM_SERVER_ADMISSION_H_
