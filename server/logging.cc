#include "server/logging.h"

#include <memory>

#include <spdlog/pattern_formatter.h>
#include <spdlog/spdlog.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace botm::server {
namespace {

// Appends `s` JSON-escaped (RFC 8259 section 7) to `out`.
void AppendJsonEscaped(absl::string_view s, spdlog::memory_buf_t* out) {
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (u < 0x20 || u == 0x7f) {
      const std::string e = absl::StrFormat("\\u%04x", u);
      out->append(e.data(), e.data() + e.size());
    } else {
      out->push_back(c);
    }
  }
}

// The %* flag of the JSON pattern: the message, JSON-escaped.
class JsonMessageFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    AppendJsonEscaped(absl::string_view(msg.payload.data(), msg.payload.size()), &dest);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessageFlag>();
  }
};

}  // namespace

std::string LogSafe(absl::string_view s, size_t max_bytes) {
  const absl::string_view kept = s.substr(0, max_bytes);
  std::string out;
  out.reserve(kept.size() + 16);
  for (const char c : kept) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (u < 0x20 || u >= 0x7f) {
          absl::StrAppendFormat(&out, "\\x%02x", u);
        } else {
          out += c;
        }
    }
  }
  if (s.size() > kept.size()) absl::StrAppend(&out, "...(+", s.size() - kept.size(), " bytes)");
  return out;
}

absl::Status ConfigureLogging(absl::string_view format) {
  if (format == "text") {
    spdlog::set_pattern("%+");
    return absl::OkStatus();
  }
  if (format != "json") {
    return absl::InvalidArgumentError(
        absl::StrCat("log format must be text or json, got '", LogSafe(format, 32), "'"));
  }
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  formatter->add_flag<JsonMessageFlag>('*').set_pattern(
      R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","msg":"%*"})");
  spdlog::set_formatter(std::move(formatter));
  return absl::OkStatus();
}

bool LogRateLimiter::Allow(int64_t* suppressed) {
  const absl::Time now = absl::Now();
  absl::MutexLock lock(&mu_);
  if (now - window_start_ >= absl::Seconds(1)) {
    window_start_ = now;
    in_window_ = 0;
  }
  if (in_window_ >= per_second_) {
    ++suppressed_;
    return false;
  }
  ++in_window_;
  *suppressed = suppressed_;
  suppressed_ = 0;
  return true;
}

}  // namespace botm::server
