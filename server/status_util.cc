#include "server/status_util.h"

namespace botm::server {

int ToRpcCode(const absl::Status& status) {
  if (status.code() == absl::StatusCode::kOutOfRange) {
    return static_cast<int>(absl::StatusCode::kInvalidArgument);
  }
  return static_cast<int>(status.code());
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(ToRpcCode(status)),
                      std::string(status.message()));
}

}  // namespace botm::server
