#include "server/admission.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "server/status_util.h"

namespace botm::server {

AdmissionController::AdmissionController(const AdmissionOptions& options)
    : options_(options),
      clock_(options.clock != nullptr ? options.clock : Clock::Real()),
      capacity_(options.capacity_frames_per_second) {}

absl::StatusOr<std::unique_ptr<AdmissionController::Ticket>> AdmissionController::AdmitStream() {
  absl::MutexLock lock(&mu_);
  if (streams_ >= options_.max_streams) {
    return WithRetryDelay(absl::ResourceExhaustedError(
                              absl::StrCat("too many streams (", options_.max_streams, " open)")),
                          RetryDelayLocked());
  }
  ++streams_;
  return std::unique_ptr<Ticket>(new Ticket(this));
}

bool AdmissionController::LoadChecked() const { return capacity_ > 0 && options_.load_factor > 0; }

absl::Status AdmissionController::AdmitLoad(Ticket* ticket, double frame_rate_hz) {
  const double rate = frame_rate_hz > 0 ? frame_rate_hz : options_.default_frame_rate_hz;
  absl::MutexLock lock(&mu_);
  if (ticket->rate_ > 0) return absl::OkStatus();
  const double limit = capacity_ * options_.load_factor;
  if (LoadChecked() && load_ > 0 && load_ + rate > limit) {
    return WithRetryDelay(absl::ResourceExhaustedError(
                              absl::StrCat("server at capacity: ", load_, " + ", rate,
                                           " frames/s requested, ", limit, " frames/s available")),
                          RetryDelayLocked());
  }
  load_ += rate;
  ticket->rate_ = rate;
  return absl::OkStatus();
}

double AdmissionController::AllowedRate(const Ticket& ticket) const {
  absl::MutexLock lock(&mu_);
  if (!LoadChecked()) return std::numeric_limits<double>::infinity();
  const double unclaimed = std::max(0.0, capacity_ * options_.load_factor - load_);
  return ticket.rate_ * options_.rate_tolerance + unclaimed;
}

void AdmissionController::SetCapacity(double frames_per_second) {
  absl::MutexLock lock(&mu_);
  if (options_.capacity_frames_per_second <= 0) capacity_ = frames_per_second;
}

void AdmissionController::Release(double rate) {
  absl::MutexLock lock(&mu_);
  --streams_;
  load_ -= rate;
  if (streams_ == 0) load_ = 0.0;  // no drift from floating-point sums
  // Only streams that were admitted with their load drain the server; calls refused at their
  // config end at once and would make the drain look faster than it is.
  if (rate <= 0) return;
  ends_.push_back(clock_->Now());
  while (static_cast<int>(ends_.size()) > std::max(2, options_.drain_window)) ends_.pop_front();
}

absl::Duration AdmissionController::RetryDelay() const {
  absl::MutexLock lock(&mu_);
  return RetryDelayLocked();
}

absl::Duration AdmissionController::RetryDelayLocked() const {
  if (ends_.size() < 2) return absl::Milliseconds(options_.default_retry_ms);
  // Mean interval between the stream ends, measured up to now (a drain that stopped lengthens
  // it): the expected wait for the next free slot.
  const absl::Duration interval =
      (clock_->Now() - ends_.front()) / static_cast<int64_t>(ends_.size() - 1);
  return std::clamp(interval, absl::Milliseconds(options_.min_retry_ms),
                    absl::Milliseconds(options_.max_retry_ms));
}

int AdmissionController::active_streams() const {
  absl::MutexLock lock(&mu_);
  return streams_;
}

}  // namespace botm::server
