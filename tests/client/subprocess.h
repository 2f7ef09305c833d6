// Test helpers: child processes (botm-server, botm-client) with output captured to a file, and
// a free loopback port.
//
// Thread-safety: thread-compatible.
#ifndef BOTM_TESTS_CLIENT_SUBPROCESS_H_
#define BOTM_TESTS_CLIENT_SUBPROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace botm::testing {

class Subprocess {
 public:
  // Starts argv[0] with stdout and stderr appended to `log_path`. Internal when spawn fails.
  static absl::StatusOr<std::unique_ptr<Subprocess>> Start(const std::vector<std::string>& argv,
                                                           const std::string& log_path);
  // Kills (SIGKILL) and reaps the child if it is still running.
  ~Subprocess();

  void Signal(int signal);
  // Waits for the exit; returns the exit code (128 + signal when killed by one).
  // DeadlineExceeded when it is still running after `timeout`.
  absl::StatusOr<int> Wait(absl::Duration timeout);
  bool running() const { return running_; }

 private:
  explicit Subprocess(pid_t pid) : pid_(pid) {}
  pid_t pid_;
  bool running_ = true;
};

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs argv to completion (at most `timeout`) and returns its exit code and output.
absl::StatusOr<CommandResult> RunCommand(const std::vector<std::string>& argv,
                                         absl::Duration timeout);

// Returns a TCP port on 127.0.0.1 that was free a moment ago.
int PickFreePort();

// Returns a new empty directory under the test's temporary directory.
std::string MakeTempDir(const std::string& name);

}  // namespace botm::testing

#endif  // BOTM_TESTS_CLIENT_SUBPROCESS_H_
