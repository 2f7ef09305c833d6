#include "server/decode_budget.h"

namespace botm::server {

std::unique_ptr<DecodeBudget::Lease> DecodeBudget::TryAcquire(int64_t bytes) {
  absl::MutexLock lock(&mu_);
  if (max_bytes_ > 0 && in_use_ > 0 && in_use_ + bytes > max_bytes_) return nullptr;
  in_use_ += bytes;
  return std::unique_ptr<Lease>(new Lease(this, bytes));
}

void DecodeBudget::Release(int64_t bytes) {
  absl::MutexLock lock(&mu_);
  in_use_ -= bytes;
}

int64_t DecodeBudget::in_use() const {
  absl::MutexLock lock(&mu_);
  return in_use_;
}

}  // namespace botm::server
