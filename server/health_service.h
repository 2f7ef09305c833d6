// grpc.health.v1.Health on the callback API, driven by the server's readiness: Check answers
// the current status; Watch streams it and every change (NOT_SERVING during warm-up, then
// SERVING, then NOT_SERVING at shutdown). Shutdown() makes every name NOT_SERVING for ever and
// ends open Watch calls cleanly: their last message is NOT_SERVING, then the status OK (they
// are not left to be reset by the server's shutdown). Replaces gRPC's default health service,
// whose Watch ended at once during warm-up and was reset at shutdown.
//
// Names: "" (the whole server) and the ones given; Check of another name is NOT_FOUND, Watch
// of another name streams SERVICE_UNKNOWN (as the health protocol says).
//
// Thread-safety: thread-safe. The service must outlive its calls (the gRPC server's Shutdown
// waits for them).
#ifndef BOTM_SERVER_HEALTH_SERVICE_H_
#define BOTM_SERVER_HEALTH_SERVICE_H_

#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace botm::server {

class HealthService final : public grpc::health::v1::Health::CallbackService {
 public:
  explicit HealthService(const std::vector<std::string>& names);

  void SetServing(bool serving);
  // NOT_SERVING for ever; open Watch calls end after sending it.
  void Shutdown();
  // Blocks until every Watch call has ended or `deadline` passes; returns whether they ended.
  bool WaitForWatchersToEnd(absl::Time deadline);

  grpc::ServerUnaryReactor* Check(grpc::CallbackServerContext* ctx,
                                  const grpc::health::v1::HealthCheckRequest* request,
                                  grpc::health::v1::HealthCheckResponse* response) override;
  grpc::ServerWriteReactor<grpc::health::v1::HealthCheckResponse>* Watch(
      grpc::CallbackServerContext* ctx,
      const grpc::health::v1::HealthCheckRequest* request) override;

 private:
  class Watcher;
  using ServingStatus = grpc::health::v1::HealthCheckResponse::ServingStatus;
  ServingStatus StatusOf(const std::string& name) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Notify(bool serving, bool shutdown);
  void Remove(Watcher* watcher);
  bool NoWatchers() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return watchers_.empty(); }

  const std::set<std::string> names_;
  mutable absl::Mutex mu_;
  bool serving_ ABSL_GUARDED_BY(mu_) = false;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  std::set<Watcher*> watchers_ ABSL_GUARDED_BY(mu_);
};

}  // namespace botm::server

#endif  // BOTM_SERVER_HEALTH_SERVICE_H_
