#include "client/dicom/listener.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "client/dicom/internal/listener_impl.h"
#include "spdlog/spdlog.h"

namespace botm::dicom {

Listener::Impl::Impl(ListenerOptions options, std::unique_ptr<Spool> spool)
    : options_(std::move(options)), spool_(std::move(spool)) {}

Listener::Impl::~Impl() { Stop(); }

absl::Status Listener::Impl::Start() {
  absl::StatusOr<std::unique_ptr<StoreScp>> scp =
      StoreScp::Create(options_.scp, spool_.get(), [this] { Notify(); });
  if (!scp.ok()) return scp.status();
  scp_ = *std::move(scp);
  scp_thread_ = std::thread([this] {
    const absl::Status s = scp_->Run();
    if (!s.ok()) spdlog::error("dicom-listen: {}", s.ToString());
    absl::MutexLock lock(&mu_);
    scp_status_ = s;
  });
  for (int i = 0; i < options_.processing_threads; ++i) {
    workers_.emplace_back([this] { ProcessLoop(); });
  }
  workers_.emplace_back([this] { DeliverLoop(); });
  spdlog::info(
      "dicom-listen: AE {} on port {}, {} association(s), {} processing thread(s), "
      "spool {} ({} waiting, {} to deliver)",
      options_.scp.ae_title, options_.scp.port, options_.scp.max_associations,
      options_.processing_threads, spool_->root(), spool_->InboxSize(), spool_->Outbox().size());
  return absl::OkStatus();
}

void Listener::Impl::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    wake_.SignalAll();
  }
  if (scp_ != nullptr) scp_->Stop();
  if (scp_thread_.joinable()) scp_thread_.join();
  for (std::thread& t : workers_) t.join();
  workers_.clear();
}

absl::Status Listener::Impl::scp_status() const {
  absl::MutexLock lock(&mu_);
  return scp_status_;
}

void Listener::Impl::Notify() {
  absl::MutexLock lock(&mu_);
  wake_.SignalAll();
}

std::optional<std::string> Listener::Impl::Take(Queue queue) {
  absl::MutexLock lock(&mu_);
  std::map<std::string, Retry>& retries = retries_[static_cast<int>(queue)];
  while (!stopping_) {
    const std::vector<std::string> ids =
        queue == Queue::kInbox ? spool_->Inbox() : spool_->Outbox();
    const absl::Time now = absl::Now();
    absl::Time next = now + absl::Seconds(1);  // also picks up files placed by an operator
    for (const std::string& id : ids) {
      if (in_flight_.count(id)) continue;
      const auto retry = retries.find(id);
      if (retry != retries.end() && retry->second.due > now) {
        next = std::min(next, retry->second.due);
        continue;
      }
      in_flight_.insert(id);
      return id;
    }
    wake_.WaitWithDeadline(&mu_, next);
  }
  return std::nullopt;
}

void Listener::Impl::Release(Queue queue, const std::string& id, const WorkOutcome& outcome) {
  absl::MutexLock lock(&mu_);
  in_flight_.erase(id);
  std::map<std::string, Retry>& retries = retries_[static_cast<int>(queue)];
  if (!outcome.retry) {
    retries.erase(id);
  } else {
    Retry& r = retries[id];
    ++r.attempts;
    // A refusal with the server's retry hint (RESOURCE_EXHAUSTED: at capacity) is retried
    // when the hint says, however often it was refused before: the hint is derived from the
    // server's drain rate, and backing off past it left a busy server idle (4 senders behind
    // one admitted cine waited up to max_backoff_ms between tries). Failures without a hint
    // (service or PACS down) back off exponentially.
    const double backoff = options_.initial_backoff_ms * std::pow(2.0, r.attempts - 1);
    int64_t delay_ms = static_cast<int64_t>(std::min<double>(backoff, options_.max_backoff_ms));
    if (outcome.retry_after_ms > 0) {
      delay_ms = std::min<int64_t>(outcome.retry_after_ms, options_.max_backoff_ms);
    }
    r.due = absl::Now() + absl::Milliseconds(delay_ms);
    spdlog::info("dicom-listen: {} retry {} in {} ms", id, r.attempts, delay_ms);
  }
  wake_.SignalAll();
}

void Listener::Impl::ProcessLoop() {
  while (std::optional<std::string> id = Take(Queue::kInbox)) {
    const WorkOutcome outcome = Process(*id);
    Release(Queue::kInbox, *id, outcome);
  }
}

void Listener::Impl::DeliverLoop() {
  while (std::optional<std::string> id = Take(Queue::kOutbox)) {
    const WorkOutcome outcome = Deliver(*id);
    Release(Queue::kOutbox, *id, outcome);
  }
}

absl::StatusOr<std::unique_ptr<Listener>> Listener::Create(const ListenerOptions& options) {
  if (!options.store_destination && !options.stow_destination) {
    return absl::InvalidArgumentError("listener needs a destination (C-STORE or STOW-RS)");
  }
  if (options.spool_dir.empty() || options.processing_threads < 1 ||
      options.initial_backoff_ms < 1 || options.max_backoff_ms < options.initial_backoff_ms) {
    return absl::InvalidArgumentError("listener: bad spool dir, threads or backoff");
  }
  if (!options.summary_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(options.summary_dir, ec);
    if (ec) return absl::InvalidArgumentError("listener: cannot create " + options.summary_dir);
  }
  absl::StatusOr<std::unique_ptr<Spool>> spool = Spool::Open(options.spool_dir);
  if (!spool.ok()) return spool.status();
  return std::unique_ptr<Listener>(
      new Listener(std::make_unique<Impl>(options, *std::move(spool))));
}

Listener::Listener(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Listener::~Listener() = default;
absl::Status Listener::Start() { return impl_->Start(); }
void Listener::Stop() { impl_->Stop(); }
absl::Status Listener::scp_status() const { return impl_->scp_status(); }

}  // namespace botm::dicom
