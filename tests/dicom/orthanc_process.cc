#include "tests/dicom/orthanc_process.h"

#include <curl/curl.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "client/channel.h"

namespace botm::dicom::testing {
namespace {

size_t Append(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

nlohmann::json Config(const OrthancOptions& o) {
  nlohmann::json config = {
      {"Name", "botm-test"},
      {"StorageDirectory", o.dir + "/db"},
      {"IndexDirectory", o.dir + "/db"},
      {"HttpPort", o.http_port},
      {"DicomPort", o.dicom_port},
      {"DicomAet", "ORTHANC"},
      {"RemoteAccessAllowed", false},
      {"AuthenticationEnabled", false},
      {"Plugins", {"/usr/share/orthanc/plugins/libOrthancDicomWeb.so"}},
      {"DicomWeb", {{"Enable", true}, {"Root", "/dicom-web/"}}},
      {"DicomModalities", {{"botm", {o.listener_ae, "127.0.0.1", o.listener_port}}}},
      {"DicomAlwaysAllowStore", true},
      {"HttpThreadsCount", 4},
      {"StorageCompression", false}};
  if (!o.lua_script.empty()) config["LuaScripts"] = {o.lua_script};
  return config;
}

}  // namespace

absl::StatusOr<long> HttpRequest(const std::string& method, const std::string& url,
                                 const std::string& request_body, std::string* body) {
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  body->clear();
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "POST") {
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, request_body.data());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(request_body.size()));
  }
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, 60L);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, body);
  if (CURLcode c = curl_easy_perform(curl.get()); c != CURLE_OK) {
    return absl::UnavailableError(absl::StrCat(method, " ", url, ": ", curl_easy_strerror(c)));
  }
  long code = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &code);
  return code;
}

absl::StatusOr<std::unique_ptr<Orthanc>> Orthanc::Start(OrthancOptions options) {
  if (options.http_port == 0) options.http_port = botm::testing::PickFreePort();
  if (options.dicom_port == 0) options.dicom_port = botm::testing::PickFreePort();
  std::unique_ptr<Orthanc> orthanc(new Orthanc(options));
  const std::string config = options.dir + "/orthanc.json";
  std::ofstream(config) << Config(options).dump(2);
  absl::StatusOr<std::unique_ptr<botm::testing::Subprocess>> process =
      botm::testing::Subprocess::Start({"/usr/sbin/Orthanc", config}, options.dir + "/orthanc.log");
  if (!process.ok()) return process.status();
  orthanc->process_ = *std::move(process);
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (absl::Now() < deadline && orthanc->process_->running()) {
    if (orthanc->Get("/system").ok()) return orthanc;
    absl::SleepFor(absl::Milliseconds(100));
  }
  return absl::UnavailableError(absl::StrCat("Orthanc did not start; log:\n", orthanc->log()));
}

Orthanc::~Orthanc() = default;

std::string Orthanc::url() const { return absl::StrCat("http://127.0.0.1:", options_.http_port); }

std::string Orthanc::log() const {
  return client::ReadFileToString(options_.dir + "/orthanc.log").value_or("");
}

absl::StatusOr<nlohmann::json> Orthanc::Get(const std::string& path) const {
  std::string body;
  absl::StatusOr<long> code = HttpRequest("GET", url() + path, "", &body);
  if (!code.ok()) return code.status();
  if (*code != 200) return absl::NotFoundError(absl::StrCat("GET ", path, ": HTTP ", *code));
  return nlohmann::json::parse(body, nullptr, false);
}

absl::StatusOr<nlohmann::json> Orthanc::Post(const std::string& path,
                                             const std::string& request) const {
  std::string body;
  absl::StatusOr<long> code = HttpRequest("POST", url() + path, request, &body);
  if (!code.ok()) return code.status();
  if (*code != 200) {
    return absl::InternalError(absl::StrCat("POST ", path, ": HTTP ", *code, " ", body));
  }
  return nlohmann::json::parse(body, nullptr, false);
}

absl::Status Orthanc::Download(const std::string& id, const std::string& path) const {
  std::string body;
  absl::StatusOr<long> code = HttpRequest("GET", url() + "/instances/" + id + "/file", "", &body);
  if (!code.ok()) return code.status();
  if (*code != 200) return absl::NotFoundError(absl::StrCat("instance ", id, ": HTTP ", *code));
  std::ofstream(path, std::ios::binary) << body;
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> Orthanc::Instances(const std::string& study_uid,
                                                            const std::string& modality) const {
  const nlohmann::json query = {
      {"Level", "Instance"}, {"Query", {{"StudyInstanceUID", study_uid}, {"Modality", modality}}}};
  absl::StatusOr<nlohmann::json> found = Post("/tools/find", query.dump());
  if (!found.ok()) return found.status();
  return found->get<std::vector<std::string>>();
}

absl::StatusOr<std::vector<std::string>> Orthanc::WaitForInstances(const std::string& study_uid,
                                                                   const std::string& modality,
                                                                   size_t count,
                                                                   absl::Duration timeout) const {
  const absl::Time deadline = absl::Now() + timeout;
  absl::StatusOr<std::vector<std::string>> ids;
  do {
    ids = Instances(study_uid, modality);
    if (ids.ok() && ids->size() >= count) return ids;
    absl::SleepFor(absl::Milliseconds(100));
  } while (absl::Now() < deadline);
  if (!ids.ok()) return ids.status();
  return absl::DeadlineExceededError(
      absl::StrCat(ids->size(), " ", modality, " instance(s), ", count, " expected"));
}

}  // namespace botm::dicom::testing
