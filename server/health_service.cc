#include "server/health_service.h"

#include <optional>

namespace botm::server {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

// One Watch call: writes the newest status whenever it differs from the last one written;
// after shutdown's NOT_SERVING was written, finishes with OK. State under its own mu_; the
// service calls Update() under the service's mu_ (lock order: service, then watcher). Finish
// is never called with a lock held (it may run OnDone inline, which takes the service's mu_):
// the methods below claim the right to finish under mu_ and return the status to finish with.
class HealthService::Watcher : public grpc::ServerWriteReactor<HealthCheckResponse> {
 public:
  Watcher(HealthService* service, std::string name) : service_(service), name_(std::move(name)) {}

  // Sets the status to stream; `last` = no status follows (shutdown).
  std::optional<grpc::Status> Update(ServingStatus status, bool last) {
    absl::MutexLock lock(&mu_);
    wanted_ = status;
    last_ = last;
    return Pump();
  }
  void OnWriteDone(bool ok) override {
    std::optional<grpc::Status> fin;
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      if (!ok) cancelled_ = true;
      fin = Pump();
    }
    if (fin.has_value()) Finish(*fin);
  }
  void OnCancel() override {
    std::optional<grpc::Status> fin;
    {
      absl::MutexLock lock(&mu_);
      cancelled_ = true;
      fin = Pump();
    }
    if (fin.has_value()) Finish(*fin);
  }
  void OnDone() override {
    service_->Remove(this);
    delete this;
  }
  const std::string& name() const { return name_; }

 private:
  // Starts the next write, or claims the finish when the stream is over.
  std::optional<grpc::Status> Pump() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (writing_ || finish_claimed_) return std::nullopt;
    if (cancelled_) {
      finish_claimed_ = true;
      return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
    }
    if (!written_.has_value() || *written_ != wanted_) {
      response_.set_status(wanted_);
      written_ = wanted_;
      writing_ = true;
      StartWrite(&response_);
      return std::nullopt;
    }
    if (!last_) return std::nullopt;
    finish_claimed_ = true;
    return grpc::Status::OK;
  }

  HealthService* const service_;
  const std::string name_;
  absl::Mutex mu_;
  HealthCheckResponse response_ ABSL_GUARDED_BY(mu_);
  ServingStatus wanted_ ABSL_GUARDED_BY(mu_) = HealthCheckResponse::UNKNOWN;
  std::optional<ServingStatus> written_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool last_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  bool finish_claimed_ ABSL_GUARDED_BY(mu_) = false;
};

HealthService::HealthService(const std::vector<std::string>& names)
    : names_([&] {
        std::set<std::string> all(names.begin(), names.end());
        all.insert("");
        return all;
      }()) {}

HealthService::ServingStatus HealthService::StatusOf(const std::string& name) const {
  if (names_.count(name) == 0) return HealthCheckResponse::SERVICE_UNKNOWN;
  return serving_ && !shut_down_ ? HealthCheckResponse::SERVING : HealthCheckResponse::NOT_SERVING;
}

void HealthService::SetServing(bool serving) { Notify(serving, /*shutdown=*/false); }

void HealthService::Shutdown() { Notify(false, /*shutdown=*/true); }

void HealthService::Notify(bool serving, bool shutdown) {
  std::vector<std::pair<Watcher*, grpc::Status>> to_finish;
  {
    absl::MutexLock lock(&mu_);
    if (shut_down_) return;
    serving_ = serving;
    shut_down_ = shutdown;
    for (Watcher* w : watchers_) {
      std::optional<grpc::Status> fin = w->Update(StatusOf(w->name()), shut_down_);
      if (fin.has_value()) to_finish.emplace_back(w, *fin);
    }
  }
  // A watcher whose finish was claimed cannot reach OnDone before this Finish.
  for (auto& [w, status] : to_finish) w->Finish(status);
}

bool HealthService::WaitForWatchersToEnd(absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  return mu_.AwaitWithDeadline(absl::Condition(this, &HealthService::NoWatchers), deadline);
}

void HealthService::Remove(Watcher* watcher) {
  absl::MutexLock lock(&mu_);
  watchers_.erase(watcher);
}

grpc::ServerUnaryReactor* HealthService::Check(grpc::CallbackServerContext* ctx,
                                               const HealthCheckRequest* request,
                                               HealthCheckResponse* response) {
  grpc::ServerUnaryReactor* r = ctx->DefaultReactor();
  absl::MutexLock lock(&mu_);
  const ServingStatus status = StatusOf(request->service());
  if (status == HealthCheckResponse::SERVICE_UNKNOWN) {
    r->Finish(grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown service"));
    return r;
  }
  response->set_status(status);
  r->Finish(grpc::Status::OK);
  return r;
}

grpc::ServerWriteReactor<HealthCheckResponse>* HealthService::Watch(
    grpc::CallbackServerContext* ctx, const HealthCheckRequest* request) {
  auto* w = new Watcher(this, request->service());
  std::optional<grpc::Status> fin;
  {
    absl::MutexLock lock(&mu_);
    watchers_.insert(w);
    fin = w->Update(StatusOf(w->name()), shut_down_);
  }
  if (fin.has_value()) w->Finish(*fin);
  return w;
}

}  // namespace botm::server
