// The listener's C-STORE SCP: accepts ultrasound cine loops (and C-ECHO) from allowed calling
// AE titles and hosts, writes each received object into the spool, and answers Success only
// once the object is durably in the inbox. A fixed pool of max_associations worker threads
// serves associations; one arriving while all are busy is rejected "local limit exceeded"
// (transient, the sender retries). A full inbox answers "Refused: Out of Resources" (A700).
//
// DCMTK 3.6.7 notes: DcmSCPPool is not used (its workers delete themselves on their own
// thread, a use-after-free fixed only in later DCMTK); DcmSCP passes the called instead of the
// calling address to checkCallingHostAccepted, so the peer address is read from the
// association. DCMTK listens on every interface; restrict callers with allowed_calling_hosts
// or a firewall.
//
// Thread-safety: Run() blocks on the calling thread (the accept loop); Stop() may be called
// from any thread.
#ifndef BOTM_CLIENT_DICOM_STORE_SCP_H_
#define BOTM_CLIENT_DICOM_STORE_SCP_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "client/dicom/spool.h"

namespace botm::dicom {

struct StoreScpOptions {
  std::string ae_title = "BOTMLISTEN";
  int port = 11112;
  // Calling AE titles allowed to associate; empty = any.
  std::vector<std::string> allowed_calling_aes;
  // Peer IP addresses allowed to associate; empty = any.
  std::vector<std::string> allowed_calling_hosts;
  // Concurrent associations (worker threads).
  int max_associations = 4;
  // Objects waiting in the inbox before new C-STOREs are refused (A700).
  size_t max_pending_objects = 100;
  // Network timeouts, seconds (ACSE and DIMSE).
  int timeout_s = 30;
};

class StoreScp {
 public:
  // `spool` must outlive the SCP; `on_received` runs on a worker thread after each commit.
  static absl::StatusOr<std::unique_ptr<StoreScp>> Create(const StoreScpOptions& options,
                                                          Spool* spool,
                                                          std::function<void()> on_received);
  ~StoreScp();

  // Listens until Stop(); returns an error when the port cannot be opened.
  absl::Status Run();
  // Makes Run() return within about a second once the associations in progress end.
  void Stop();

 private:
  class Impl;
  explicit StoreScp(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The transfer syntaxes the SCP accepts for ultrasound images, in order of preference.
std::vector<std::string> AcceptedTransferSyntaxes();

}  // namespace botm::dicom

#endif  // BOTM_CLIENT_DICOM_STORE_SCP_H_
