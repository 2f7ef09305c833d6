#include "tests/dicom/service_process.h"

#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "client/channel.h"
#include "client/service_calls.h"
#include "tests/dicom/dicom_test_util.h"

namespace botm::dicom::testing {
absl::StatusOr<ServerProcess> StartServer(const std::string& dir,
                                          const std::vector<std::string>& extra_flags, int port) {
  ServerProcess server;
  if (port == 0) port = botm::testing::PickFreePort();
  server.address = absl::StrCat("127.0.0.1:", port);
  server.log_path = dir + "/server.log";
  std::vector<std::string> argv = {
      BOTM_SERVER_BIN,    "--host=127.0.0.1",         absl::StrCat("--port=", port),
      "--metrics_port=0", "--threads_per_instance=1", "--drain_deadline_s=2"};
  argv.insert(argv.end(), extra_flags.begin(), extra_flags.end());
  absl::StatusOr<std::unique_ptr<botm::testing::Subprocess>> process =
      botm::testing::Subprocess::Start(argv, server.log_path);
  if (!process.ok()) return process.status();
  server.process = *std::move(process);
  client::ChannelOptions channel;
  channel.address = server.address;
  channel.connect_timeout_ms = 500;
  const absl::Time deadline = absl::Now() + absl::Seconds(90);
  while (absl::Now() < deadline && server.process->running()) {
    absl::StatusOr<std::shared_ptr<grpc::Channel>> c = client::Connect(channel);
    absl::StatusOr<std::string> health = c.ok() ? client::CheckHealth(*c, "", 1000) : c.status();
    if (health.ok() && *health == "SERVING") return server;
    absl::SleepFor(absl::Milliseconds(200));
  }
  return absl::UnavailableError(absl::StrCat(
      "botm-server not serving; log:\n", client::ReadFileToString(server.log_path).value_or("")));
}

absl::StatusOr<ListenerProcess> StartListener(const std::string& spool_dir, int port,
                                              const std::string& log_path,
                                              const std::vector<std::string>& flags) {
  ListenerProcess l;
  l.port = port;
  l.log_path = log_path;
  l.spool_dir = spool_dir;
  std::vector<std::string> argv = {BOTM_DICOM_BIN, "listen", absl::StrCat("--port=", port),
                                   "--spool_dir=" + spool_dir, "--ae_title=BOTMLISTEN"};
  argv.insert(argv.end(), flags.begin(), flags.end());
  absl::StatusOr<std::unique_ptr<botm::testing::Subprocess>> process =
      botm::testing::Subprocess::Start(argv, log_path);
  if (!process.ok()) return process.status();
  l.process = *std::move(process);
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (absl::Now() < deadline && l.process->running()) {
    if (Echo("BOTMLISTEN", port)) return l;
    absl::SleepFor(absl::Milliseconds(100));
  }
  return absl::UnavailableError(absl::StrCat("botm-dicom listen did not start; log:\n",
                                             client::ReadFileToString(log_path).value_or("")));
}

bool WaitForLog(const std::string& path, const std::string& needle, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  do {
    if (absl::StrContains(client::ReadFileToString(path).value_or(""), needle)) return true;
    absl::SleepFor(absl::Milliseconds(100));
  } while (absl::Now() < deadline);
  return false;
}

std::vector<std::string> SpoolFiles(const std::string& spool_dir, const std::string& state) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(spool_dir + "/" + state, ec)) {
    files.push_back(e.path().filename().string());
  }
  return files;
}

}  // namespace botm::dicom::testing
