#include "server/stream_registry.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "server/stream_reactor.h"

namespace botm::server {

StreamRegistry::StreamRegistry(const StreamRegistryOptions& options) : options_(options) {
  reaper_ = std::thread([this] { ReapLoop(); });
}

StreamRegistry::~StreamRegistry() {
  {
    absl::MutexLock lock(&timer_mu_);
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

void StreamRegistry::ScheduleResume(StreamReactor* reactor, absl::Time when) {
  absl::MutexLock lock(&timer_mu_);
  resumes_.emplace(when, reactor);
  timer_added_ = true;
}

void StreamRegistry::ReapLoop() {
  absl::Time next_check = absl::Now() + options_.check_period;
  while (true) {
    std::vector<StreamReactor*> due;
    {
      absl::MutexLock lock(&timer_mu_);
      const absl::Time wake =
          resumes_.empty() ? next_check : std::min(next_check, resumes_.begin()->first);
      timer_mu_.AwaitWithDeadline(absl::Condition(this, &StreamRegistry::Woken), wake);
      if (stop_) return;
      timer_added_ = false;
      const absl::Time now = absl::Now();
      while (!resumes_.empty() && resumes_.begin()->first <= now) {
        due.push_back(resumes_.begin()->second);
        resumes_.erase(resumes_.begin());
      }
    }
    if (!due.empty()) ResumeDue(due);
    if (absl::Now() >= next_check) {
      EndIdleStreams();
      next_check = absl::Now() + options_.check_period;
    }
  }
}

void StreamRegistry::ResumeDue(const std::vector<StreamReactor*>& due) {
  absl::MutexLock lock(&mu_);
  for (StreamReactor* r : due) {
    if (open_.count(r) > 0) r->ResumeRead();
  }
}

void StreamRegistry::EndIdleStreams() {
  std::vector<std::pair<StreamReactor*, grpc::Status>> to_finish;
  {
    absl::MutexLock lock(&mu_);
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

}  // namespace botm::server
