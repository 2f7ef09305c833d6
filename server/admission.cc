#include "server/admission.h"

#include "absl/strings/str_cat.h"

namespace botm::server {

absl::StatusOr<std::unique_ptr<AdmissionController::Ticket>> AdmissionController::AdmitStream() {
  absl::MutexLock lock(&mu_);
  if (streams_ >= options_.max_streams) {
    return absl::ResourceExhaustedError(
        absl::StrCat("too many streams (", options_.max_streams, " open)"));
  }
  ++streams_;
  return std::unique_ptr<Ticket>(new Ticket(this));
}

absl::Status AdmissionController::AdmitLoad(Ticket* ticket, double frame_rate_hz) {
  const double rate = frame_rate_hz > 0 ? frame_rate_hz : options_.default_frame_rate_hz;
  absl::MutexLock lock(&mu_);
  if (ticket->rate_ > 0) return absl::OkStatus();
  const double limit = capacity_ * options_.load_factor;
  if (capacity_ > 0 && options_.load_factor > 0 && load_ > 0 && load_ + rate > limit) {
    return absl::ResourceExhaustedError(absl::StrCat("server at capacity: ", load_, " + ", rate,
                                                     " frames/s requested, ", limit,
                                                     " frames/s available"));
  }
  load_ += rate;
  ticket->rate_ = rate;
  return absl::OkStatus();
}

void AdmissionController::SetCapacity(double frames_per_second) {
  absl::MutexLock lock(&mu_);
  capacity_ = frames_per_second;
}

void AdmissionController::Release(double rate) {
  absl::MutexLock lock(&mu_);
  --streams_;
  load_ -= rate;
  if (streams_ == 0) load_ = 0.0;  // no drift from floating-point sums
}

int AdmissionController::active_streams() const {
  absl::MutexLock lock(&mu_);
  return streams_;
}

double AdmissionController::load_frames_per_second() const {
  absl::MutexLock lock(&mu_);
  return load_;
}

}  // namespace botm::server
