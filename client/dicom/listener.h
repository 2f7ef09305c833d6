// `botm-dicom listen`: the hospital-router role. A C-STORE SCP receives ultrasound cine loops
// into a durable spool; processing threads segment each one through botm-server and write the
// SEG, SR and summary into the spool's outbox; a delivery thread sends them to the configured
// destinations (C-STORE and/or DICOMweb STOW-RS). Nothing received is lost: every object is
// on disk until its results are delivered, transient failures (service unreachable or busy,
// destination down) are retried with exponential backoff (honouring the server's retry hint),
// and permanent ones move the object to quarantine/ or failed/ with the reason, and are logged.
// Logs name objects by HashUid() only.
//
// Thread-safety: Start() and Stop() from one controlling thread; the rest runs on the
// listener's own threads.
#ifndef BOTM_CLIENT_DICOM_LISTENER_H_
#define BOTM_CLIENT_DICOM_LISTENER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "client/channel.h"
#include "client/dicom/derived_object.h"
#include "client/dicom/service_segmenter.h"
#include "client/dicom/store_scp.h"
#include "client/dicom/store_scu.h"
#include "client/dicom/stow_client.h"
#include "client/dicom/us_reader.h"

namespace botm::dicom {

// What the listener reports for each object once its results are delivered everywhere.
struct DeliveryReport {
  std::string id;        // spool ID
  std::string uid_hash;  // HashUid of the source SOP Instance UID
  int frames = 0;
  double service_ms = 0;              // the segmentation stream's wall time
  double model_ms = 0;                // the server's inference time, summed over frames
  double receipt_to_delivery_ms = 0;  // from the C-STORE commit to the last destination's OK
};

struct ListenerOptions {
  StoreScpOptions scp;
  std::string spool_dir;
  // botm-server (address, TLS); connect_timeout_ms bounds each connection attempt.
  client::ChannelOptions service_channel;
  ServiceOptions service;
  ReaderOptions reader;
  CreatorInfo creator;
  // Destinations; at least one.
  std::optional<StoreDestination> store_destination;
  std::optional<StowOptions> stow_destination;
  // When set, each delivered object's summary.json is kept there as ID.json (for consumers
  // that do not read DICOM); the rest of the results folder is removed after delivery.
  std::string summary_dir;
  // Objects segmented at once (one stream each).
  int processing_threads = 2;
  // Retry delays: initial_backoff_ms * 2^(attempt-1), at most max_backoff_ms; a refusal that
  // carries the server's retry hint is retried after the hint (at most max_backoff_ms).
  int64_t initial_backoff_ms = 1000;
  int64_t max_backoff_ms = 60000;
  // Called on the delivery thread after each delivered object (benchmarks, monitoring).
  std::function<void(const DeliveryReport&)> on_delivered;
};

class Listener {
 public:
  // Validates the options and opens (and recovers) the spool. InvalidArgument for bad options.
  static absl::StatusOr<std::unique_ptr<Listener>> Create(const ListenerOptions& options);
  ~Listener();  // Stops if still running.

  // Starts the SCP and the worker threads; objects left in the spool by an earlier run are
  // processed and delivered first. Returns once listening has started.
  absl::Status Start();
  // Stops accepting associations, lets the current object of each thread finish, and joins.
  // What is still spooled stays for the next run.
  void Stop();

  // Set when the SCP could not listen (e.g. the port is taken).
  absl::Status scp_status() const;

 private:
  class Impl;
  explicit Listener(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace botm::dicom

#endif  // BOTM_CLIENT_DICOM_LISTENER_H_
