// The listener's units of work: segmenting one inbox object into a results folder, and
// delivering one results folder to every destination.
#include <chrono>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "client/dicom/internal/listener_impl.h"
#include "client/dicom/privacy.h"
#include "client/dicom/results.h"
#include "spdlog/spdlog.h"

namespace botm::dicom {

bool IsTransientServiceError(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kCancelled:
    case absl::StatusCode::kUnknown:
      return true;
    default:
      return false;
  }
}

bool IsTransientDeliveryError(const absl::Status& s) {
  return s.code() == absl::StatusCode::kUnavailable ||
         s.code() == absl::StatusCode::kDeadlineExceeded ||
         s.code() == absl::StatusCode::kResourceExhausted;
}

namespace {

// Builds the report from the results' summary.json and the arrival time in the spool ID.
DeliveryReport ReportFor(const std::string& id, const std::string& dir) {
  DeliveryReport r;
  r.id = id;
  int64_t received_ms = 0;
  if (absl::SimpleAtoi(absl::string_view(id).substr(0, id.find('-')), &received_ms)) {
    r.receipt_to_delivery_ms = static_cast<double>(absl::ToUnixMillis(absl::Now()) - received_ms);
  }
  std::ifstream in(dir + "/" + kSummaryFile);
  const nlohmann::json summary = nlohmann::json::parse(in, nullptr, false);
  if (summary.is_discarded()) return r;
  r.uid_hash = HashUid(summary.value("/source/sop_instance_uid"_json_pointer, std::string()));
  r.frames = summary.value("/source/frames"_json_pointer, 0);
  r.service_ms = summary.value("/timing_ms/service"_json_pointer, 0.0);
  r.model_ms = summary.value("/timing_ms/model"_json_pointer, 0.0);
  return r;
}

}  // namespace

std::shared_ptr<grpc::Channel> Listener::Impl::Channel(absl::Status* error) {
  {
    absl::MutexLock lock(&mu_);
    if (channel_ != nullptr) return channel_;
  }
  absl::StatusOr<std::shared_ptr<grpc::Channel>> connected =
      client::Connect(options_.service_channel);
  if (!connected.ok()) {
    *error = connected.status();
    return nullptr;
  }
  absl::MutexLock lock(&mu_);
  channel_ = *connected;
  return channel_;
}

WorkOutcome Listener::Impl::Reject(const std::string& id, const absl::Status& why,
                                   bool quarantine) {
  const absl::Status moved =
      quarantine ? spool_->Quarantine(id, why.ToString()) : spool_->FailInput(id, why.ToString());
  if (!moved.ok()) {
    spdlog::error("dicom-listen: {} cannot be moved out of the inbox: {}", id, moved.ToString());
    return {true, -1};
  }
  return {};
}

WorkOutcome Listener::Impl::ServiceFailed(const std::string& id, const std::string& uid,
                                          const absl::Status& error, bool connected) {
  const bool transient = IsTransientServiceError(error);
  spdlog::warn("dicom-listen: {} ({}) segmentation failed{}: {}", id, uid,
               transient ? ", will retry" : ", moved to failed/", error.ToString());
  if (!transient) return Reject(id, error, /*quarantine=*/false);
  if (!connected || error.code() == absl::StatusCode::kUnavailable) {
    absl::MutexLock lock(&mu_);
    channel_.reset();  // reconnect next time
  }
  return {true, client::RetryAfterMs(error)};
}

WorkOutcome Listener::Impl::Process(const std::string& id) {
  absl::StatusOr<UltrasoundClip> clip = ReadUltrasoundFile(spool_->InboxPath(id), options_.reader);
  if (!clip.ok()) {
    spdlog::error("dicom-listen: {} quarantined: {}", id, clip.status().ToString());
    return Reject(id, clip.status(), /*quarantine=*/true);
  }
  const std::string uid = HashUid(clip->source.sop_instance_uid);
  absl::Status error;
  std::shared_ptr<grpc::Channel> channel = Channel(&error);
  ServiceOptions service = options_.service;
  service.client_tag = uid;
  absl::StatusOr<ClipSegmentation> result =
      channel != nullptr ? SegmentThroughService(channel, *clip, service) : error;
  if (!result.ok()) return ServiceFailed(id, uid, result.status(), channel != nullptr);
  // Spool (file-system) failures are retried; a writer that rejects the object is final.
  absl::StatusOr<std::string> dir = spool_->NewResultsDir(id);
  if (!dir.ok()) return {true, -1};
  absl::StatusOr<ResultSet> written = WriteResults(*clip, *result, options_.creator, *dir);
  if (!written.ok()) {
    spdlog::error("dicom-listen: {} ({}) results not written, moved to failed/: {}", id, uid,
                  written.status().ToString());
    spool_->Discard(*dir);
    return Reject(id, written.status(), /*quarantine=*/false);
  }
  if (absl::Status s = spool_->CommitResults(id); !s.ok()) {
    spdlog::error("dicom-listen: {} results not committed, will retry: {}", id, s.ToString());
    return {true, -1};
  }
  spdlog::info(
      "dicom-listen: {} ({}) segmented: {} frames, service {:.0f} ms, model {:.0f} ms, SR {}", id,
      uid, clip->frames.size(), result->service_ms, result->model_ms,
      written->sr.has_value() ? "written" : "skipped (" + written->sr_skipped_reason + ")");
  Notify();
  return {};
}

absl::Status Listener::Impl::SendTo(const std::string& key, const std::vector<std::string>& files) {
  if (key == kStoreKey) return StoreFiles(*options_.store_destination, files);
  return StowFiles(*options_.stow_destination, files);
}

WorkOutcome Listener::Impl::Deliver(const std::string& id) {
  absl::StatusOr<std::vector<std::string>> files = ResultFilesIn(spool_->OutboxDir(id));
  if (!files.ok()) {
    spdlog::error("dicom-listen: {} results unreadable: {}", id, files.status().ToString());
    return {!spool_->FailResults(id, files.status().ToString()).ok(), -1};
  }
  std::vector<std::string> keys;
  if (options_.store_destination) keys.push_back(kStoreKey);
  if (options_.stow_destination) keys.push_back(kStowKey);
  for (const std::string& key : keys) {
    if (spool_->IsSent(id, key)) continue;
    const absl::Status sent = SendTo(key, *files);
    if (!sent.ok()) {
      const bool transient = IsTransientDeliveryError(sent);
      spdlog::warn("dicom-listen: {} delivery ({}) failed{}: {}", id, key,
                   transient ? ", will retry" : ", moved to failed/", sent.ToString());
      if (transient) return {true, -1};
      return {!spool_->FailResults(id, sent.ToString()).ok(), -1};
    }
    if (!spool_->MarkSent(id, key).ok()) return {true, -1};
    spdlog::info("dicom-listen: {} delivered ({}, {} objects)", id, key, files->size());
  }
  DeliveryReport report = ReportFor(id, spool_->OutboxDir(id));
  if (!options_.summary_dir.empty()) {
    std::error_code ec;
    std::filesystem::copy_file(spool_->OutboxDir(id) + "/" + kSummaryFile,
                               options_.summary_dir + "/" + id + ".json",
                               std::filesystem::copy_options::overwrite_existing, ec);
    if (ec) spdlog::warn("dicom-listen: {} summary not kept: {}", id, ec.message());
  }
  if (!spool_->Finish(id).ok()) return {true, -1};
  spdlog::info("dicom-listen: {} ({}) done {:.0f} ms after receipt", id, report.uid_hash,
               report.receipt_to_delivery_ms);
  if (options_.on_delivered) options_.on_delivered(report);
  return {};
}

}  // namespace botm::dicom
