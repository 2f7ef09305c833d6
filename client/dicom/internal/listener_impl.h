// Listener internals shared by listener.cc (lifecycle, scheduling) and listener_work.cc
// (processing one object, delivering one results folder).
//
// Thread-safety: members under mu_ as annotated; Process/Deliver run on worker threads for
// distinct IDs (the in-flight set guarantees one thread per ID).
#ifndef BOTM_CLIENT_DICOM_INTERNAL_LISTENER_IMPL_H_
#define BOTM_CLIENT_DICOM_INTERNAL_LISTENER_IMPL_H_

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/channel.h>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "client/dicom/listener.h"
#include "client/dicom/spool.h"
#include "client/dicom/store_scp.h"

namespace botm::dicom {

// What a worker reports about one item.
struct WorkOutcome {
  bool retry = false;           // transient failure: keep the item, try again later
  int64_t retry_after_ms = -1;  // the server's hint, if any
};

class Listener::Impl {
 public:
  Impl(ListenerOptions options, std::unique_ptr<Spool> spool);
  ~Impl();
  absl::Status Start();
  void Stop();
  absl::Status scp_status() const;

 private:
  struct Retry {
    int attempts = 0;
    absl::Time due;
  };
  enum class Queue { kInbox, kOutbox };

  // Blocks until an item of `queue` is due and not in flight, or the listener stops (nullopt).
  std::optional<std::string> Take(Queue queue);
  // Clears the item's in-flight mark and schedules its retry or forgets it.
  void Release(Queue queue, const std::string& id, const WorkOutcome& outcome);
  void Notify();
  void ProcessLoop();
  void DeliverLoop();

  // listener_work.cc
  WorkOutcome Process(const std::string& id);
  // Moves an inbox entry to quarantine/ (bad input) or failed/ (rejected) with the reason.
  WorkOutcome Reject(const std::string& id, const absl::Status& why, bool quarantine);
  // Logs a service failure; schedules a retry (honouring the hint) or rejects for good.
  WorkOutcome ServiceFailed(const std::string& id, const std::string& uid,
                            const absl::Status& error, bool connected);
  WorkOutcome Deliver(const std::string& id);
  absl::Status SendTo(const std::string& key, const std::vector<std::string>& files);
  std::shared_ptr<grpc::Channel> Channel(absl::Status* error);

  const ListenerOptions options_;
  const std::unique_ptr<Spool> spool_;
  std::unique_ptr<StoreScp> scp_;
  std::thread scp_thread_;
  std::vector<std::thread> workers_;

  mutable absl::Mutex mu_;
  absl::CondVar wake_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::set<std::string> in_flight_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, Retry> retries_[2] ABSL_GUARDED_BY(mu_);
  absl::Status scp_status_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<grpc::Channel> channel_ ABSL_GUARDED_BY(mu_);
};

// Destination keys used for the spool's sent markers.
inline constexpr char kStoreKey[] = "cstore";
inline constexpr char kStowKey[] = "stow";

// Whether a service error is worth retrying (unreachable, busy, timed out, interrupted).
bool IsTransientServiceError(const absl::Status& status);
// Whether a delivery error is worth retrying (destination unreachable, busy or timed out).
bool IsTransientDeliveryError(const absl::Status& status);

}  // namespace botm::dicom

#endif  // BOTM_CLIENT_DICOM_INTERNAL_LISTENER_IMPL_H_
