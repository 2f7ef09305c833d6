// botm.v1.SegmentationService on the gRPC callback API: SegmentStream (StreamReactor), SegmentClip
// (ClipReactor) and GetModelInfo. Refuses calls with UNAVAILABLE until the engine is set
// (warm-up done) and once shutdown began, and with RESOURCE_EXHAUSTED (+ `retry-after-ms`
// trailer) when admission control says no.
//
// Thread-safety: thread-safe; the handlers only create reactors.
#ifndef BOTM_SERVER_SEGMENTATION_SERVICE_H_
#define BOTM_SERVER_SEGMENTATION_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "botm/v1/segmentation.grpc.pb.h"
#include "server/service_env.h"
#include "server/stream_registry.h"

namespace botm::server {

class SegmentationService final : public v1::SegmentationService::CallbackService {
 public:
  // `env` must outlive the service and every call.
  SegmentationService(ServiceEnv* env, const StreamRegistryOptions& registry_options)
      : env_(env), registry_(registry_options) {}

  grpc::ServerBidiReactor<v1::SegmentStreamRequest, v1::SegmentStreamResponse>* SegmentStream(
      grpc::CallbackServerContext* ctx) override;
  grpc::ServerUnaryReactor* SegmentClip(grpc::CallbackServerContext* ctx,
                                        const v1::SegmentClipRequest* request,
                                        v1::SegmentClipResponse* response) override;
  grpc::ServerUnaryReactor* GetModelInfo(grpc::CallbackServerContext* ctx,
                                         const v1::GetModelInfoRequest* request,
                                         v1::GetModelInfoResponse* response) override;

  // Open SegmentStream calls.
  int open_streams() const { return registry_.size(); }

 private:
  // OK, or UNAVAILABLE / RESOURCE_EXHAUSTED (counted as rejected) with the ticket left empty.
  grpc::Status Admit(grpc::CallbackServerContext* ctx,
                     std::unique_ptr<AdmissionController::Ticket>* ticket);

  ServiceEnv* const env_;
  StreamRegistry registry_;
};

}  // namespace botm::server

#endif  // BOTM_SERVER_SEGMENTATION_SERVICE_H_
