// Regression tests (issue 9) for what the server exposes: the /metrics bind address follows
// --host, ports are validated, a taken port is an error (no SO_REUSEPORT), and health Watch
// streams NOT_SERVING during warm-up, SERVING when ready and ends cleanly at shutdown.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "absl/strings/str_format.h"
#include "absl/synchronization/notification.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "server/botm_server.h"
#include "tests/server/test_util.h"

namespace botm::server {
namespace {

using testing::Connect;

// Starts the botm-server binary with `flags` (plus --model and --device=cpu).
pid_t StartBinary(const std::vector<std::string>& flags) {
  std::vector<std::string> args = {BOTM_SERVER_BINARY, "--model=" + testing::TestModelPath(),
                                   "--device=cpu", "--threads_per_instance=1"};
  args.insert(args.end(), flags.begin(), flags.end());
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

// Waits up to `timeout` for `pid` to exit; returns its exit code, or -1 (then kills it).
int WaitExit(pid_t pid, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  int status = 0;
  while (absl::Now() < deadline) {
    if (::waitpid(pid, &status, WNOHANG) == pid)
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return -1;
}

// The local addresses (hex, as in /proc/net/tcp) of listening IPv4 sockets on `port`.
std::vector<std::string> ListeningAddresses(int port) {
  std::ifstream in("/proc/net/tcp");
  std::string line;
  std::vector<std::string> out;
  const std::string suffix = absl::StrFormat(":%04X", port);
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state;
    fields >> slot >> local >> remote >> state;
    if (state == "0A" && local.size() > suffix.size() &&
        local.compare(local.size() - suffix.size(), suffix.size(), suffix) == 0) {
      out.push_back(local.substr(0, local.size() - suffix.size()));
    }
  }
  return out;
}

// Defect 10: /metrics listened on 0.0.0.0 even with --host=127.0.0.1.
TEST(ExposureTest, MetricsListenOnTheServerHost) {
  const int port = testing::FreePort();
  const int metrics_port = testing::FreePort();
  const pid_t pid = StartBinary({"--host=127.0.0.1", "--port=" + std::to_string(port),
                                 "--metrics_port=" + std::to_string(metrics_port)});
  ASSERT_GT(pid, 0);
  auto channel = Connect(port);
  std::string health;
  for (int i = 0; i < 600 && health != "SERVING"; ++i) {
    health = testing::HealthStatus(channel, "");
    if (health != "SERVING") std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(health, "SERVING");
  EXPECT_EQ(ListeningAddresses(metrics_port), std::vector<std::string>{"0100007F"});
  ::kill(pid, SIGTERM);
  EXPECT_EQ(WaitExit(pid, absl::Seconds(60)), 0);
}

// Defect 10: --port 99999 was silently wrapped to 34463.
TEST(ExposureTest, PortsOutOfRangeAreRefused) {
  for (const char* flag : {"--port=99999", "--port=-1", "--metrics_port=70000"}) {
    const pid_t pid = StartBinary({"--host=127.0.0.1", flag});
    ASSERT_GT(pid, 0);
    EXPECT_EQ(WaitExit(pid, absl::Seconds(20)), 2) << flag;
  }
}

// Defect 10: two servers could bind the same port (SO_REUSEPORT).
TEST(ExposureTest, TakenPortIsAnError) {
  auto first = testing::StartReady(testing::LoopbackOptions(1));
  ASSERT_NE(first, nullptr);
  BotmServerOptions o = testing::LoopbackOptions(1);
  o.port = first->port();
  auto second = BotmServer::Start(o);
  ASSERT_FALSE(second.ok()) << "a second server bound port " << o.port;
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(second.status().message().find(std::to_string(o.port)), std::string::npos);
}

// Defect 13: a Watch opened during warm-up ended at once with OK and no message; at shutdown
// open Watch calls were reset (clients saw INTERNAL).
TEST(ExposureTest, HealthWatchFollowsWarmUpAndEndsCleanlyAtShutdown) {
  BotmServerOptions o = testing::LoopbackOptions(1);
  absl::Notification gate;
  std::unique_ptr<BotmServer> server = testing::StartWarmingUp(o, &gate);
  ASSERT_NE(server, nullptr);
  auto stub = grpc::health::v1::Health::NewStub(Connect(server->port()));
  using grpc::health::v1::HealthCheckResponse;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
  grpc::health::v1::HealthCheckRequest req;
  req.set_service(kServiceName);
  auto watch = stub->Watch(&ctx, req);
  HealthCheckResponse resp;
  ASSERT_TRUE(watch->Read(&resp)) << "Watch ended during warm-up";
  EXPECT_EQ(resp.status(), HealthCheckResponse::NOT_SERVING);
  gate.Notify();
  ASSERT_TRUE(watch->Read(&resp));
  EXPECT_EQ(resp.status(), HealthCheckResponse::SERVING);
  std::thread stopper([&] { server->Shutdown(absl::Seconds(5)); });
  ASSERT_TRUE(watch->Read(&resp));
  EXPECT_EQ(resp.status(), HealthCheckResponse::NOT_SERVING);
  EXPECT_FALSE(watch->Read(&resp));
  const grpc::Status end = watch->Finish();
  EXPECT_TRUE(end.ok()) << end.error_code() << " " << end.error_message();
  stopper.join();
}

}  // namespace
}  // namespace botm::server
