#include "server/segmentation_service.h"

#include <utility>

#include "server/clip_reactor.h"
#include "server/status_util.h"
#include "server/stream_reactor.h"

namespace botm::server {
namespace {

// A bidi reactor that only finishes the call with a status (refusals).
class RefusedStream
    : public grpc::ServerBidiReactor<v1::SegmentStreamRequest, v1::SegmentStreamResponse> {
 public:
  explicit RefusedStream(grpc::Status status) { Finish(std::move(status)); }
  void OnDone() override { delete this; }
};

}  // namespace

grpc::Status SegmentationService::Admit(grpc::CallbackServerContext* ctx,
                                        std::unique_ptr<AdmissionController::Ticket>* ticket) {
  if (env_->shutting_down.load() || env_->engine.load() == nullptr) {
    env_->metrics->CountStream(StreamOutcome::kRejected);
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, env_->shutting_down.load()
                                                           ? "server is shutting down"
                                                           : "model is loading (not ready)");
  }
  auto admitted = env_->admission->AdmitStream();
  if (!admitted.ok()) {
    env_->metrics->CountStream(StreamOutcome::kRejected);
    AddRetryAfter(ctx, env_->admission->retry_after_ms());
    return ToGrpcStatus(admitted.status());
  }
  *ticket = std::move(*admitted);
  return grpc::Status::OK;
}

grpc::ServerBidiReactor<v1::SegmentStreamRequest, v1::SegmentStreamResponse>*
SegmentationService::SegmentStream(grpc::CallbackServerContext* ctx) {
  std::unique_ptr<AdmissionController::Ticket> ticket;
  if (grpc::Status s = Admit(ctx, &ticket); !s.ok()) return new RefusedStream(std::move(s));
  return new StreamReactor(ctx, env_, &registry_, std::move(ticket));
}

grpc::ServerUnaryReactor* SegmentationService::SegmentClip(grpc::CallbackServerContext* ctx,
                                                           const v1::SegmentClipRequest* request,
                                                           v1::SegmentClipResponse* response) {
  std::unique_ptr<AdmissionController::Ticket> ticket;
  if (grpc::Status s = Admit(ctx, &ticket); !s.ok()) {
    grpc::ServerUnaryReactor* r = ctx->DefaultReactor();
    r->Finish(std::move(s));
    return r;
  }
  return new ClipReactor(ctx, env_, std::move(ticket), request, response);
}

grpc::ServerUnaryReactor* SegmentationService::GetModelInfo(
    grpc::CallbackServerContext* ctx, const v1::GetModelInfoRequest* /*request*/,
    v1::GetModelInfoResponse* out) {
  grpc::ServerUnaryReactor* r = ctx->DefaultReactor();
  InferenceEngine* engine = env_->engine.load();
  if (engine == nullptr) {
    r->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "model is loading (not ready)"));
    return r;
  }
  const ModelInfo& info = engine->model_info();
  out->set_name(info.name);
  out->set_version(info.version);
  out->set_variant(info.variant);
  out->set_input_size(info.input_size);
  for (const auto& c : info.class_names) out->add_class_names(c);
  out->set_weights_sha256(info.weights_sha256);
  out->set_cross_frame(info.cross_frame);
  out->set_device(info.device);
  out->set_model_card_json(info.model_card_json);
  out->set_num_parameters(info.num_parameters);
  out->set_instances(engine->options().instances);
  out->set_max_batch_size(engine->options().max_batch_size);
  r->Finish(grpc::Status::OK);
  return r;
}

}  // namespace botm::server
