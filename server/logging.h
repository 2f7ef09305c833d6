// Logging helpers of botm-server: the two line formats (text, JSON) and the escaping that every
// client-supplied string (view, client_tag, model_name, peer, messages quoting them) goes
// through before it reaches a log line or a status message, so that a client can neither forge
// lines (newlines, ANSI escapes, quotes) nor make huge ones.
//
// Thread-safety: LogSafe is thread-safe; ConfigureLogging must run before other threads log.
#ifndef BOTM_SERVER_LOGGING_H_
#define BOTM_SERVER_LOGGING_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace botm::server {

// Default bound of one client string in a log line or status message, bytes of input.
inline constexpr size_t kLogSafeMaxBytes = 160;

// Returns `s` as printable ASCII: backslash, double quote, control bytes and bytes >= 0x7f are
// written as \\ \" \n \r \t or \xNN; only the first `max_bytes` input bytes are kept and the
// rest is summarised as "...(+N bytes)".
std::string LogSafe(absl::string_view s, size_t max_bytes = kLogSafeMaxBytes);

// Sets the line format of the default spdlog logger: "text" (spdlog's default pattern) or
// "json" (one object per line: time, level, msg; msg is JSON-escaped). InvalidArgument for
// another name.
absl::Status ConfigureLogging(absl::string_view format);

// Lets through at most `per_second` events per second and counts the rest, so that a flood of
// refusals under overload gives a few lines and a count instead of one line per refusal.
// Thread-safe.
class LogRateLimiter {
 public:
  explicit LogRateLimiter(int per_second) : per_second_(per_second) {}
  // True when this event may be logged; *suppressed then receives how many events were
  // dropped since the last one that was logged.
  bool Allow(int64_t* suppressed);

 private:
  const int per_second_;
  absl::Mutex mu_;
  absl::Time window_start_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  int in_window_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t suppressed_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace botm::server

#endif  // BOTM_SERVER_LOGGING_H_
