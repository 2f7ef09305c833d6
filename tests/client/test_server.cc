#include "tests/client/test_server.h"

#include <signal.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "client/service_calls.h"
#include "core/model/model_factory.h"

namespace botm::testing {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

absl::StatusOr<TestServer> StartTestServer(const std::string& server_bin, const std::string& dir,
                                           const std::vector<std::string>& extra_flags,
                                           client::ChannelOptions channel) {
  TestServer server;
  server.model_path = dir + "/tiny.pt";
  server.log_path = dir + "/server.log";
  if (absl::Status s = CreateInitialCheckpoint(ModelConfig(), 1, server.model_path); !s.ok()) {
    return s;
  }
  const std::string port = std::to_string(PickFreePort());
  server.address = "127.0.0.1:" + port;
  std::vector<std::string> argv = {server_bin,
                                   "--host=127.0.0.1",
                                   "--port=" + port,
                                   "--metrics_port=0",
                                   "--model=" + server.model_path,
                                   "--threads_per_instance=1",
                                   "--drain_deadline_s=5",
                                   "--admission_load_factor=0"};
  argv.insert(argv.end(), extra_flags.begin(), extra_flags.end());
  absl::StatusOr<std::unique_ptr<Subprocess>> process = Subprocess::Start(argv, server.log_path);
  if (!process.ok()) return process.status();
  server.process = *std::move(process);
  channel.address = server.address;
  channel.connect_timeout_ms = 500;
  const absl::Time deadline = absl::Now() + absl::Seconds(90);
  absl::Status last = absl::UnknownError("not checked");
  while (absl::Now() < deadline && server.process->running()) {
    absl::StatusOr<std::shared_ptr<grpc::Channel>> connected = client::Connect(channel);
    absl::StatusOr<std::string> health =
        connected.ok() ? client::CheckHealth(*connected, "", 1000) : connected.status();
    if (health.ok() && *health == "SERVING") return server;
    last = health.ok() ? absl::UnavailableError(*health) : health.status();
    absl::SleepFor(absl::Milliseconds(200));
  }
  return absl::UnavailableError(absl::StrCat("botm-server not SERVING (", last.ToString(),
                                             "); log:\n", ReadAll(server.log_path)));
}

absl::StatusOr<int> StopTestServer(TestServer* server) {
  server->process->Signal(SIGTERM);
  return server->process->Wait(absl::Seconds(30));
}

}  // namespace botm::testing
