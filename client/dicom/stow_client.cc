#include "client/dicom/stow_client.h"

#include <curl/curl.h>

#include <fstream>
#include <memory>
#include <mutex>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "client/channel.h"

namespace botm::dicom {
namespace {

// A random multipart boundary (RFC 2046 5.1.1): 128 random bits make a collision with the
// DICOM bytes negligible.
std::string Boundary() {
  std::random_device device;
  return absl::StrCat("botm-stow-", absl::Hex(device(), absl::kZeroPad8),
                      absl::Hex(device(), absl::kZeroPad8), absl::Hex(device(), absl::kZeroPad8),
                      absl::Hex(device(), absl::kZeroPad8));
}

size_t Append(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

absl::StatusOr<std::string> Body(const std::vector<std::string>& files, std::string* boundary) {
  std::vector<std::string> parts;
  size_t total = 0;
  for (const std::string& path : files) {
    absl::StatusOr<std::string> bytes = client::ReadFileToString(path);
    if (!bytes.ok()) return bytes.status();
    total += bytes->size();
    parts.push_back(*std::move(bytes));
  }
  *boundary = Boundary();
  std::string body;
  body.reserve(total + 256 * files.size());
  for (const std::string& part : parts) {
    absl::StrAppend(&body, "--", *boundary, "\r\nContent-Type: application/dicom\r\n\r\n");
    body += part;
    body += "\r\n";
  }
  absl::StrAppend(&body, "--", *boundary, "--\r\n");
  return body;
}

// PS3.18 Table 10.5.3-1: (0008,1198) Failed SOP Sequence lists the instances not stored,
// (0008,1199) Referenced SOP Sequence the stored ones.
absl::Status CheckResponse(const std::string& response, size_t files, const std::string& what) {
  const nlohmann::json j = nlohmann::json::parse(response, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return absl::AbortedError(absl::StrCat(what, " without a DICOM JSON response"));
  }
  const nlohmann::json failed = j.value("/00081198/Value"_json_pointer, nlohmann::json::array());
  const nlohmann::json stored = j.value("/00081199/Value"_json_pointer, nlohmann::json::array());
  if (!failed.empty() || stored.size() != files) {
    return absl::AbortedError(absl::StrCat(what, ": ", failed.size(), " failed, ", stored.size(),
                                           " of ", files, " stored"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status StowFiles(const StowOptions& options, const std::vector<std::string>& files) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::string boundary;
  absl::StatusOr<std::string> body = Body(files, &boundary);
  if (!body.ok()) return body.status();
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (curl == nullptr) return absl::InternalError("curl_easy_init failed");
  const std::string url = absl::StrCat(options.base_url, "/studies");
  curl_slist* headers = nullptr;
  headers = curl_slist_append(
      headers, absl::StrCat("Content-Type: multipart/related; type=\"application/dicom\"; "
                            "boundary=",
                            boundary)
                   .c_str());
  headers = curl_slist_append(headers, "Accept: application/dicom+json");
  if (!options.bearer_token.empty()) {
    headers = curl_slist_append(
        headers, absl::StrCat("Authorization: Bearer ", options.bearer_token).c_str());
  }
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> owned_headers(headers, curl_slist_free_all);
  std::string response;
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body->data());
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout_ms));
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &response);
  const CURLcode code = curl_easy_perform(curl.get());
  if (code != CURLE_OK) {
    return absl::UnavailableError(
        absl::StrCat("STOW-RS to ", url, " failed: ", curl_easy_strerror(code)));
  }
  long http = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &http);
  const std::string what = absl::StrCat("STOW-RS to ", url, " answered HTTP ", http);
  if (http >= 500 || http == 429) return absl::UnavailableError(what);
  if (http != 200 && http != 202) return absl::AbortedError(what);
  return CheckResponse(response, files.size(), what);
}

}  // namespace botm::dicom
