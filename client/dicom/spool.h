// The listener's durable spool: every received object stays on disk until its results are
// delivered, across crashes and restarts. One folder per state; a state change is an fsync'ed
// rename, so an object is always in exactly one place:
//   incoming/ID.part   being received (not yet acknowledged; removed at start-up)
//   inbox/ID.dcm       acknowledged, waiting for segmentation
//   outbox/ID/         results (seg.dcm, sr.dcm, summary.json) waiting for delivery; a
//                      `sent-KEY` marker per destination that has them. outbox/ID.tmp/ is a
//                      results folder being written (removed at start-up).
//   quarantine/ID.dcm  unreadable or unsupported input, with ID.error.txt saying why
//   failed/ID.dcm      input the service rejected permanently, with ID.error.txt
//   failed/ID.results/ results a destination rejected permanently, with ID.error.txt
// IDs sort in arrival order. Results keep their UIDs once written, so re-sending after a crash
// stores the same instances again (a PACS keeps one copy): they arrive exactly once.
//
// Thread-safety: thread-safe; distinct IDs may be worked on from different threads.
#ifndef BOTM_CLIENT_DICOM_SPOOL_H_
#define BOTM_CLIENT_DICOM_SPOOL_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace botm::dicom {

class Spool {
 public:
  // Creates the folders under `root` and recovers from a crash: removes incoming/*.part and
  // outbox/*.tmp, and drops inbox entries whose results are already in the outbox. Internal on
  // file-system errors.
  static absl::StatusOr<std::unique_ptr<Spool>> Open(const std::string& root);

  // Receiving: a fresh path under incoming/, then the durable hand-over to the inbox (fsync of
  // the file, rename, fsync of the folder). Returns the new ID.
  std::string NewIncomingPath();
  absl::StatusOr<std::string> CommitIncoming(const std::string& part_path);
  void Discard(const std::string& path);
  // Objects in the inbox, in arrival order.
  std::vector<std::string> Inbox() const;
  size_t InboxSize() const;
  std::string InboxPath(absl::string_view id) const;

  // Processing: an empty outbox/ID.tmp/ folder to write results into, then its durable
  // commit (rename to outbox/ID/, then the inbox entry is removed).
  absl::StatusOr<std::string> NewResultsDir(absl::string_view id);
  absl::Status CommitResults(absl::string_view id);
  // Moves the inbox entry to quarantine/ (bad input) or failed/ (rejected by the service) with
  // `reason` in ID.error.txt.
  absl::Status Quarantine(absl::string_view id, absl::string_view reason);
  absl::Status FailInput(absl::string_view id, absl::string_view reason);

  // Delivering: committed results folders, in arrival order.
  std::vector<std::string> Outbox() const;
  std::string OutboxDir(absl::string_view id) const;
  bool IsSent(absl::string_view id, absl::string_view destination_key) const;
  absl::Status MarkSent(absl::string_view id, absl::string_view destination_key);
  // Removes a delivered results folder, or moves an undeliverable one to failed/.
  absl::Status Finish(absl::string_view id);
  absl::Status FailResults(absl::string_view id, absl::string_view reason);

  // Entries in quarantine/ and failed/ (for tests and operators).
  std::vector<std::string> Quarantined() const;
  std::vector<std::string> Failed() const;
  const std::string& root() const { return root_; }

 private:
  explicit Spool(std::string root) : root_(std::move(root)) {}
  std::string Dir(absl::string_view state) const;
  absl::Status Recover();

  const std::string root_;
};

// Durability helpers: fsync a file or a folder; rename then fsync the target's folder.
absl::Status SyncPath(const std::string& path);
absl::Status DurableRename(const std::string& from, const std::string& to);

}  // namespace botm::dicom

#endif  // BOTM_CLIENT_DICOM_SPOOL_H_
