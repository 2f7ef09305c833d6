#include "client/dicom/spool.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"

namespace botm::dicom {
namespace fs = std::filesystem;
namespace {

constexpr const char* kStates[] = {"incoming", "inbox", "outbox", "quarantine", "failed"};

// IDs: milliseconds since the epoch, a process-wide counter and a random tag, so that names
// sort in arrival order and never collide across restarts.
std::string NewId() {
  static std::atomic<uint32_t> counter{0};
  static const uint32_t tag = std::random_device()();
  return absl::StrFormat("%013d-%06d-%08x", absl::ToUnixMillis(absl::Now()),
                         counter.fetch_add(1) % 1000000, tag);
}

std::vector<std::string> List(const std::string& dir, absl::string_view suffix, bool dirs) {
  std::vector<std::string> ids;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (e.is_directory() != dirs || !absl::EndsWith(name, suffix)) continue;
    ids.push_back(name.substr(0, name.size() - suffix.size()));
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

absl::Status WriteReason(const std::string& path, absl::string_view reason) {
  std::ofstream out(path);
  out << reason << "\n";
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  return SyncPath(path);
}

}  // namespace

absl::Status SyncPath(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return absl::InternalError(absl::StrCat("cannot open ", path, " to sync"));
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return absl::InternalError(absl::StrCat("fsync ", path, " failed"));
  return absl::OkStatus();
}

absl::Status DurableRename(const std::string& from, const std::string& to) {
  std::error_code ec;
  fs::rename(from, to, ec);
  if (ec) return absl::InternalError(absl::StrCat("rename ", from, " -> ", to, ": ", ec.message()));
  return SyncPath(fs::path(to).parent_path().string());
}

absl::StatusOr<std::unique_ptr<Spool>> Spool::Open(const std::string& root) {
  std::unique_ptr<Spool> spool(new Spool(root));
  for (const char* state : kStates) {
    std::error_code ec;
    fs::create_directories(spool->Dir(state), ec);
    if (ec) return absl::InternalError(absl::StrCat("cannot create ", spool->Dir(state)));
  }
  if (absl::Status s = spool->Recover(); !s.ok()) return s;
  return spool;
}

absl::Status Spool::Recover() {
  std::error_code ec;
  for (const std::string& id : List(Dir("incoming"), ".part", false)) {
    fs::remove(Dir("incoming") + "/" + id + ".part", ec);
  }
  for (const std::string& id : List(Dir("outbox"), ".tmp", true)) {
    fs::remove_all(Dir("outbox") + "/" + id + ".tmp", ec);
  }
  // Results committed but the crash came before the input was removed: the input is done.
  for (const std::string& id : Inbox()) {
    if (fs::exists(OutboxDir(id))) fs::remove(InboxPath(id), ec);
  }
  return SyncPath(Dir("inbox"));
}

std::string Spool::Dir(absl::string_view state) const { return absl::StrCat(root_, "/", state); }

std::string Spool::NewIncomingPath() { return Dir("incoming") + "/" + NewId() + ".part"; }

absl::StatusOr<std::string> Spool::CommitIncoming(const std::string& part_path) {
  const std::string id = NewId();
  if (absl::Status s = SyncPath(part_path); !s.ok()) return s;
  if (absl::Status s = DurableRename(part_path, InboxPath(id)); !s.ok()) return s;
  return id;
}

void Spool::Discard(const std::string& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
}

std::vector<std::string> Spool::Inbox() const { return List(Dir("inbox"), ".dcm", false); }
size_t Spool::InboxSize() const { return Inbox().size(); }
std::string Spool::InboxPath(absl::string_view id) const {
  return absl::StrCat(Dir("inbox"), "/", id, ".dcm");
}

absl::StatusOr<std::string> Spool::NewResultsDir(absl::string_view id) {
  const std::string dir = absl::StrCat(Dir("outbox"), "/", id, ".tmp");
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (!fs::create_directory(dir, ec) || ec) {
    return absl::InternalError(absl::StrCat("cannot create ", dir));
  }
  return dir;
}

absl::Status Spool::CommitResults(absl::string_view id) {
  const std::string tmp = absl::StrCat(Dir("outbox"), "/", id, ".tmp");
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(tmp, ec)) {
    if (absl::Status s = SyncPath(e.path().string()); !s.ok()) return s;
  }
  if (absl::Status s = SyncPath(tmp); !s.ok()) return s;
  if (absl::Status s = DurableRename(tmp, OutboxDir(id)); !s.ok()) return s;
  fs::remove(InboxPath(id), ec);
  return SyncPath(Dir("inbox"));
}

absl::Status Spool::Quarantine(absl::string_view id, absl::string_view reason) {
  const std::string base = absl::StrCat(Dir("quarantine"), "/", id);
  if (absl::Status s = WriteReason(base + ".error.txt", reason); !s.ok()) return s;
  return DurableRename(InboxPath(id), base + ".dcm");
}

absl::Status Spool::FailInput(absl::string_view id, absl::string_view reason) {
  const std::string base = absl::StrCat(Dir("failed"), "/", id);
  if (absl::Status s = WriteReason(base + ".error.txt", reason); !s.ok()) return s;
  return DurableRename(InboxPath(id), base + ".dcm");
}

std::vector<std::string> Spool::Outbox() const {
  std::vector<std::string> ids;
  for (const std::string& id : List(Dir("outbox"), "", true)) {
    if (!absl::EndsWith(id, ".tmp")) ids.push_back(id);
  }
  return ids;
}

std::string Spool::OutboxDir(absl::string_view id) const {
  return absl::StrCat(Dir("outbox"), "/", id);
}

bool Spool::IsSent(absl::string_view id, absl::string_view key) const {
  return fs::exists(absl::StrCat(OutboxDir(id), "/sent-", key));
}

absl::Status Spool::MarkSent(absl::string_view id, absl::string_view key) {
  const std::string marker = absl::StrCat(OutboxDir(id), "/sent-", key);
  if (absl::Status s = WriteReason(marker, "sent"); !s.ok()) return s;
  return SyncPath(OutboxDir(id));
}

absl::Status Spool::Finish(absl::string_view id) {
  std::error_code ec;
  fs::remove_all(OutboxDir(id), ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot remove ", OutboxDir(id)));
  return SyncPath(Dir("outbox"));
}

absl::Status Spool::FailResults(absl::string_view id, absl::string_view reason) {
  const std::string base = absl::StrCat(Dir("failed"), "/", id);
  if (absl::Status s = WriteReason(base + ".error.txt", reason); !s.ok()) return s;
  return DurableRename(OutboxDir(id), base + ".results");
}

std::vector<std::string> Spool::Quarantined() const {
  return List(Dir("quarantine"), ".dcm", false);
}

std::vector<std::string> Spool::Failed() const { return List(Dir("failed"), ".error.txt", false); }

}  // namespace botm::dicom
