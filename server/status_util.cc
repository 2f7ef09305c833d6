#include "server/status_util.h"

#include <utility>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace botm::server {

absl::Status WithRetryDelay(absl::Status status, absl::Duration delay) {
  google::rpc::RetryInfo info;
  const int64_t ms = absl::ToInt64Milliseconds(delay);
  info.mutable_retry_delay()->set_seconds(ms / 1000);
  info.mutable_retry_delay()->set_nanos(static_cast<int32_t>(ms % 1000) * 1000000);
  status.SetPayload(kRetryInfoType, absl::Cord(info.SerializeAsString()));
  return status;
}

absl::Status WithFieldViolation(absl::Status status, absl::string_view field) {
  google::rpc::BadRequest request;
  if (auto old = status.GetPayload(kBadRequestType)) {
    request.ParseFromString(std::string(*old));
  }
  google::rpc::BadRequest::FieldViolation* v = request.add_field_violations();
  v->set_field(std::string(field));
  v->set_description(std::string(status.message()));
  status.SetPayload(kBadRequestType, absl::Cord(request.SerializeAsString()));
  return status;
}

std::optional<absl::Duration> RetryDelay(const absl::Status& status) {
  auto payload = status.GetPayload(kRetryInfoType);
  google::rpc::RetryInfo info;
  if (!payload.has_value() || !info.ParseFromString(std::string(*payload))) return std::nullopt;
  return absl::Seconds(info.retry_delay().seconds()) +
         absl::Nanoseconds(info.retry_delay().nanos());
}

int ToRpcCode(const absl::Status& status) {
  if (status.code() == absl::StatusCode::kOutOfRange) {
    return static_cast<int>(absl::StatusCode::kInvalidArgument);
  }
  return static_cast<int>(status.code());
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const auto code = static_cast<grpc::StatusCode>(ToRpcCode(status));
  google::rpc::Status details;
  status.ForEachPayload([&details](absl::string_view type_url, const absl::Cord& value) {
    google::protobuf::Any* any = details.add_details();
    any->set_type_url(std::string(type_url));
    any->set_value(std::string(value));
  });
  if (details.details_size() == 0) return grpc::Status(code, std::string(status.message()));
  details.set_code(static_cast<int>(code));
  details.set_message(std::string(status.message()));
  return grpc::Status(code, std::string(status.message()), details.SerializeAsString());
}

void AddStatusTrailers(grpc::CallbackServerContext* ctx, const absl::Status& status) {
  if (std::optional<absl::Duration> delay = RetryDelay(status)) {
    ctx->AddTrailingMetadata("retry-after-ms", std::to_string(absl::ToInt64Milliseconds(*delay)));
  }
}

}  // namespace botm::server
