#include "client/service_calls.h"

#include <chrono>

#include <google/protobuf/util/json_util.h>
#include <grpcpp/client_context.h>
#include <nlohmann/json.hpp>

#include "botm/v1/segmentation.grpc.pb.h"
#include "client/channel.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace botm::client {
namespace {

void SetDeadline(grpc::ClientContext* context, int64_t timeout_ms) {
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(timeout_ms));
}

}  // namespace

absl::StatusOr<std::string> CheckHealth(const std::shared_ptr<grpc::Channel>& channel,
                                        const std::string& service, int64_t timeout_ms) {
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext context;
  SetDeadline(&context, timeout_ms);
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  grpc::health::v1::HealthCheckResponse response;
  const grpc::Status status = stub->Check(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status, "Health/Check");
  return grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status());
}

absl::StatusOr<botm::v1::GetModelInfoResponse> FetchModelInfo(
    const std::shared_ptr<grpc::Channel>& channel, int64_t timeout_ms) {
  auto stub = botm::v1::SegmentationService::NewStub(channel);
  grpc::ClientContext context;
  SetDeadline(&context, timeout_ms);
  botm::v1::GetModelInfoResponse info;
  const grpc::Status status = stub->GetModelInfo(&context, botm::v1::GetModelInfoRequest(), &info);
  if (!status.ok()) return FromGrpcStatus(status, "GetModelInfo");
  return info;
}

std::string ModelInfoToJson(const botm::v1::GetModelInfoResponse& info) {
  google::protobuf::util::JsonPrintOptions print;
  print.preserve_proto_field_names = true;
  print.always_print_primitive_fields = true;
  botm::v1::GetModelInfoResponse without_card = info;
  without_card.clear_model_card_json();
  std::string text;
  if (!google::protobuf::util::MessageToJsonString(without_card, &text, print).ok()) {
    return "{}";
  }
  nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return text;
  nlohmann::json card = nlohmann::json::parse(info.model_card_json(), nullptr, false);
  if (!card.is_discarded()) {
    json["model_card"] = card;
  } else {
    json["model_card_json"] = info.model_card_json();
  }
  return json.dump(2);
}

}  // namespace botm::client
