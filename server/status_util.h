// Conversions between absl::Status and gRPC statuses, the one place where the server converts.
// The codes are numerically the same (google.rpc.Code). Error details travel inside the
// absl::Status as payloads (google.rpc.RetryInfo, google.rpc.BadRequest, keyed by their type
// URLs) and leave the server as the google.rpc.Status of the `grpc-status-details-bin`
// trailer, which standard clients read; a RetryInfo also gives the `retry-after-ms` trailer.
#ifndef BOTM_SERVER_STATUS_UTIL_H_
#define BOTM_SERVER_STATUS_UTIL_H_

#include <optional>
#include <string>

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace botm::server {

inline constexpr char kRetryInfoType[] = "type.googleapis.com/google.rpc.RetryInfo";
inline constexpr char kBadRequestType[] = "type.googleapis.com/google.rpc.BadRequest";

// Returns `status` with a RetryInfo detail: the refusal is transient, retry after `delay`.
absl::Status WithRetryDelay(absl::Status status, absl::Duration delay);

// Returns `status` with a BadRequest detail naming `field` (e.g. "config.frame_rate_hz") and
// the status message as the description; further violations are appended.
absl::Status WithFieldViolation(absl::Status status, absl::string_view field);

// The retry delay of a RetryInfo detail, if any.
std::optional<absl::Duration> RetryDelay(const absl::Status& status);

// Returns the gRPC status with the same code and message and, when `status` has details, the
// serialized google.rpc.Status. OutOfRange from the image helpers (oversized frames) is
// reported as InvalidArgument, as the API documents.
grpc::Status ToGrpcStatus(const absl::Status& status);

// Adds the `retry-after-ms` trailer when `status` has a RetryInfo detail. Call before Finish.
void AddStatusTrailers(grpc::CallbackServerContext* ctx, const absl::Status& status);

// Returns the google.rpc.Code value of a status (for FrameError.code).
int ToRpcCode(const absl::Status& status);

}  // namespace botm::server

#endif  // BOTM_SERVER_STATUS_UTIL_H_
