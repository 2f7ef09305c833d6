#include "server/stream_registry.h"

#include <optional>
#include <utility>
#include <vector>

#include "server/stream_reactor.h"

namespace botm::server {

StreamRegistry::StreamRegistry(const StreamRegistryOptions& options) : options_(options) {
  reaper_ = std::thread([this] { ReapLoop(); });
}

StreamRegistry::~StreamRegistry() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  reaper_.join();
}

void StreamRegistry::Add(StreamReactor* reactor) {
  absl::MutexLock lock(&mu_);
  open_.insert(reactor);
}

void StreamRegistry::Remove(StreamReactor* reactor) {
  absl::MutexLock lock(&mu_);
  open_.erase(reactor);
}

int StreamRegistry::size() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(open_.size());
}

bool StreamRegistry::WaitUntilEmpty(absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  return mu_.AwaitWithDeadline(absl::Condition(this, &StreamRegistry::Empty), deadline);
}

void StreamRegistry::ReapLoop() {
  while (true) {
    std::vector<std::pair<StreamReactor*, grpc::Status>> to_finish;
    {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(this, &StreamRegistry::Stopping), options_.check_period);
      if (stop_) return;
      const absl::Time now = absl::Now();
      for (StreamReactor* r : open_) {
        std::optional<grpc::Status> fin = r->EndIfIdle(now, options_.idle_timeout);
        if (fin.has_value()) to_finish.emplace_back(r, std::move(*fin));
      }
    }
    // Safe outside the lock: only the holder of a reactor's finish right calls Finish, and
    // OnDone (which deletes the reactor) cannot run before it.
    for (auto& [r, status] : to_finish) r->Finish(std::move(status));
  }
}

}  // namespace botm::server
