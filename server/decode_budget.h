// The server-wide bound on decoded image bytes in flight: a frame's decoded size (known from
// its header, see image::PeekImageHeader) is reserved before it is decoded and released when
// the engine has encoded it (or the frame was answered without running). Together with the
// per-frame bound this caps the memory that pixel bombs on many streams can take.
//
// Thread-safety: thread-safe; a Lease may be released on any thread.
#ifndef BOTM_SERVER_DECODE_BUDGET_H_
#define BOTM_SERVER_DECODE_BUDGET_H_

#include <cstdint>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "server/inference_engine.h"

namespace botm::server {

class DecodeBudget {
 public:
  // Holds `bytes` of the budget until destroyed.
  class Lease : public ImageLease {
   public:
    ~Lease() override { owner_->Release(bytes_); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;

   private:
    friend class DecodeBudget;
    Lease(DecodeBudget* owner, int64_t bytes) : owner_(owner), bytes_(bytes) {}
    DecodeBudget* const owner_;
    const int64_t bytes_;
  };

  // `max_bytes` <= 0: no bound (leases are still counted).
  explicit DecodeBudget(int64_t max_bytes) : max_bytes_(max_bytes) {}
  // Leases must not outlive the budget.
  ~DecodeBudget() = default;

  // Reserves `bytes`, or returns null when they do not fit (while other leases are held; a
  // single frame of up to the per-frame limit always fits an otherwise empty budget).
  std::unique_ptr<Lease> TryAcquire(int64_t bytes);

  int64_t in_use() const;
  int64_t max_bytes() const { return max_bytes_; }

 private:
  void Release(int64_t bytes);
  const int64_t max_bytes_;
  mutable absl::Mutex mu_;
  int64_t in_use_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace botm::server

#endif  // BOTM_SERVER_DECODE_BUDGET_H_
