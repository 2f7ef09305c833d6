// Conversions between absl::Status and gRPC statuses. The codes are numerically the same
// (google.rpc.Code); this is the one place where the server converts.
#ifndef BOTM_SERVER_STATUS_UTIL_H_
#define BOTM_SERVER_STATUS_UTIL_H_

#include <string>

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace botm::server {

// Returns the gRPC status with the same code and message. OutOfRange from the image helpers
// (oversized frames) is reported as InvalidArgument, as the API documents.
grpc::Status ToGrpcStatus(const absl::Status& status);

// Returns the google.rpc.Code value of a status (for FrameError.code).
int ToRpcCode(const absl::Status& status);

}  // namespace botm::server

#endif  // BOTM_SERVER_STATUS_UTIL_H_
