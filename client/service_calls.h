// Unary calls the command-line client makes besides streaming: grpc.health.v1 Check and
// botm.v1 GetModelInfo, and the JSON rendering of ModelInfo.
//
// Thread-safety: thread-safe (each call has its own context).
#ifndef BOTM_CLIENT_SERVICE_CALLS_H_
#define BOTM_CLIENT_SERVICE_CALLS_H_

#include <cstdint>
#include <memory>
#include <string>

#include <grpcpp/channel.h>

#include "absl/status/statusor.h"
#include "botm/v1/segmentation.pb.h"

namespace botm::client {

// Calls grpc.health.v1.Health/Check for `service` ("" = the whole server) and returns the
// status name: "SERVING", "NOT_SERVING", "UNKNOWN" or "SERVICE_UNKNOWN". An RPC failure is
// returned as its status (NotFound when the server does not know `service`).
absl::StatusOr<std::string> CheckHealth(const std::shared_ptr<grpc::Channel>& channel,
                                        const std::string& service, int64_t timeout_ms);

// Calls botm.v1.SegmentationService/GetModelInfo.
absl::StatusOr<botm::v1::GetModelInfoResponse> FetchModelInfo(
    const std::shared_ptr<grpc::Channel>& channel, int64_t timeout_ms);

// Renders ModelInfo as pretty JSON with proto field names; model_card_json is embedded as a
// JSON object ("model_card") when it parses.
std::string ModelInfoToJson(const botm::v1::GetModelInfoResponse& info);

}  // namespace botm::client

#endif  // BOTM_CLIENT_SERVICE_CALLS_H_
