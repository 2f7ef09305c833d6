// botm.v1.SegmentationService on the gRPC callback API with raw (unparsed) messages, so that
// requests that do not parse are answered INVALID_ARGUMENT naming the problem: SegmentStream
// (StreamReactor), SegmentClip (ClipReactor) and GetModelInfo. Refuses calls with UNAVAILABLE
// until the engine is set (warm-up done) and once shutdown began, and with RESOURCE_EXHAUSTED
// (+ RetryInfo detail and `retry-after-ms` trailer) when admission control says no; refusals
// are logged (at most a few lines per second, with a count of the others).
//
// Thread-safety: thread-safe; the handlers only create reactors.
#ifndef BOTM_SERVER_SEGMENTATION_SERVICE_H_
#define BOTM_SERVER_SEGMENTATION_SERVICE_H_

#include <memory>

#include <grpcpp/grpcpp.h>

#include "botm/v1/segmentation.grpc.pb.h"
#include "server/logging.h"
#include "server/service_env.h"
#include "server/stream_registry.h"

namespace botm::server {

using RawSegmentationService = v1::SegmentationService::WithRawCallbackMethod_SegmentStream<
    v1::SegmentationService::WithRawCallbackMethod_SegmentClip<
        v1::SegmentationService::WithRawCallbackMethod_GetModelInfo<
            v1::SegmentationService::Service>>>;

class SegmentationService final : public RawSegmentationService {
 public:
  // `env` must outlive the service and every call.
  SegmentationService(ServiceEnv* env, const StreamRegistryOptions& registry_options)
      : env_(env), registry_(registry_options) {}

  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* SegmentStream(
      grpc::CallbackServerContext* ctx) override;
  grpc::ServerUnaryReactor* SegmentClip(grpc::CallbackServerContext* ctx,
                                        const grpc::ByteBuffer* request,
                                        grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* GetModelInfo(grpc::CallbackServerContext* ctx,
                                         const grpc::ByteBuffer* request,
                                         grpc::ByteBuffer* response) override;

 private:
  // OK with a ticket, or the refusal (UNAVAILABLE or RESOURCE_EXHAUSTED, counted rejected and
  // logged) already converted, with its trailers added to `ctx`.
  grpc::Status Admit(grpc::CallbackServerContext* ctx, const char* method,
                     std::unique_ptr<AdmissionController::Ticket>* ticket);

  ServiceEnv* const env_;
  StreamRegistry registry_;
  LogRateLimiter refusal_log_{10};
};

}  // namespace botm::server

#endif  // BOTM_SERVER_SEGMENTATION_SERVICE_H_
