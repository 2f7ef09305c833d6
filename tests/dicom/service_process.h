// Test helpers: the real botm-server with the shipped model on a free loopback port, and
// `botm-dicom listen` as a child process (so that it can be SIGKILLed and restarted).
//
// Thread-safety: thread-compatible.
#ifndef BOTM_TESTS_DICOM_SERVICE_PROCESS_H_
#define BOTM_TESTS_DICOM_SERVICE_PROCESS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/client/subprocess.h"

namespace botm::dicom::testing {

struct ServerProcess {
  std::unique_ptr<botm::testing::Subprocess> process;
  std::string address;  // 127.0.0.1:PORT
  std::string log_path;
};

// Starts botm-server (BOTM_SERVER_BIN) with its default, shipped model on `port` (0 = a free
// one) and waits up to 90 s for health SERVING.
absl::StatusOr<ServerProcess> StartServer(const std::string& dir,
                                          const std::vector<std::string>& extra_flags,
                                          int port = 0);

struct ListenerProcess {
  std::unique_ptr<botm::testing::Subprocess> process;
  int port = 0;
  std::string log_path;
  std::string spool_dir;
};

// Starts `botm-dicom listen` (BOTM_DICOM_BIN) with `flags` added to --port/--spool_dir and
// waits until its DICOM port accepts a C-ECHO (up to 30 s).
absl::StatusOr<ListenerProcess> StartListener(const std::string& spool_dir, int port,
                                              const std::string& log_path,
                                              const std::vector<std::string>& flags);

// Polls `path` until it contains `needle` or the timeout; returns whether it did.
bool WaitForLog(const std::string& path, const std::string& needle, absl::Duration timeout);

// Files in a spool state folder ("inbox", "outbox", "quarantine", "failed").
std::vector<std::string> SpoolFiles(const std::string& spool_dir, const std::string& state);

}  // namespace botm::dicom::testing

#endif  // BOTM_TESTS_DICOM_SERVICE_PROCESS_H_
