// Test helper: a real Orthanc PACS (Debian's /usr/sbin/Orthanc) with a configuration of the
// test's own: storage in a temporary folder, HTTP and DICOM on free loopback ports, the
// DICOMweb plugin, and the listener under test as the known modality "botm". Never the system
// service. Plus a small REST client.
//
// Thread-safety: thread-compatible.
#ifndef BOTM_TESTS_DICOM_ORTHANC_PROCESS_H_
#define BOTM_TESTS_DICOM_ORTHANC_PROCESS_H_

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/client/subprocess.h"

namespace botm::dicom::testing {

struct OrthancOptions {
  std::string dir;     // storage, config and log
  int http_port = 0;   // 0 = pick a free one
  int dicom_port = 0;  // 0 = pick a free one
  std::string listener_ae = "BOTMLISTEN";
  int listener_port = 11112;  // where the "botm" modality listens
  std::string lua_script;     // optional "LuaScripts" entry (auto-routing)
};

class Orthanc {
 public:
  // Starts Orthanc and waits (up to 60 s) until its REST API answers. The error carries the
  // log's tail.
  static absl::StatusOr<std::unique_ptr<Orthanc>> Start(OrthancOptions options);
  ~Orthanc();  // Kills the process.

  int http_port() const { return options_.http_port; }
  int dicom_port() const { return options_.dicom_port; }
  std::string url() const;  // http://127.0.0.1:PORT
  std::string log() const;

  absl::StatusOr<nlohmann::json> Get(const std::string& path) const;
  absl::StatusOr<nlohmann::json> Post(const std::string& path, const std::string& body) const;
  // Downloads an instance's DICOM file to `path`.
  absl::Status Download(const std::string& instance_id, const std::string& path) const;
  // Orthanc IDs of the instances with this Modality in the study (by Study Instance UID).
  absl::StatusOr<std::vector<std::string>> Instances(const std::string& study_uid,
                                                     const std::string& modality) const;
  // Polls until the study holds `count` instances of `modality`, or the timeout.
  absl::StatusOr<std::vector<std::string>> WaitForInstances(const std::string& study_uid,
                                                            const std::string& modality,
                                                            size_t count,
                                                            absl::Duration timeout) const;

 private:
  explicit Orthanc(OrthancOptions options) : options_(std::move(options)) {}
  OrthancOptions options_;
  std::unique_ptr<botm::testing::Subprocess> process_;
};

// An HTTP request to a loopback URL: returns the status code and fills `body`.
absl::StatusOr<long> HttpRequest(const std::string& method, const std::string& url,
                                 const std::string& request_body, std::string* body);

}  // namespace botm::dicom::testing

#endif  // BOTM_TESTS_DICOM_ORTHANC_PROCESS_H_
