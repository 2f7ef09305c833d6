// Test helper: a real botm-server subprocess on a free loopback port, serving an untrained
// checkpoint the helper makes, ready (health SERVING) when StartTestServer returns.
//
// Thread-safety: thread-compatible.
#ifndef BOTM_TESTS_CLIENT_TEST_SERVER_H_
#define BOTM_TESTS_CLIENT_TEST_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "client/channel.h"
#include "tests/client/subprocess.h"

namespace botm::testing {

struct TestServer {
  std::unique_ptr<Subprocess> process;
  std::string address;  // 127.0.0.1:PORT
  std::string log_path;
  std::string model_path;
};

// Makes `dir`/tiny.pt, starts `server_bin` with it and `extra_flags`, and waits up to 90 s
// until Health/Check through `channel` (its address is filled in) says SERVING. The error
// carries the server log's tail.
absl::StatusOr<TestServer> StartTestServer(const std::string& server_bin, const std::string& dir,
                                           const std::vector<std::string>& extra_flags,
                                           client::ChannelOptions channel);

// Sends SIGTERM and returns the exit code (waits up to 30 s).
absl::StatusOr<int> StopTestServer(TestServer* server);

// Returns the whole file (empty when unreadable).
std::string ReadAll(const std::string& path);

}  // namespace botm::testing

#endif  // BOTM_TESTS_CLIENT_TEST_SERVER_H_
