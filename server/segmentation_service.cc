#include "server/segmentation_service.h"

#include <utility>

#include <spdlog/spdlog.h>

#include "absl/strings/str_cat.h"
#include "server/clip_reactor.h"
#include "server/status_util.h"
#include "server/stream_reactor.h"

namespace botm::server {
namespace {

// A bidi reactor that only finishes the call with a status (refusals).
class RefusedStream : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  explicit RefusedStream(grpc::Status status) { Finish(std::move(status)); }
  void OnDone() override { delete this; }
};

void FillModelInfo(const InferenceEngine& engine, v1::GetModelInfoResponse* out) {
  const ModelInfo& info = engine.model_info();
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
  out->set_instances(engine.options().instances);
  out->set_max_batch_size(engine.options().max_batch_size);
  out->set_partner_offset(static_cast<uint32_t>(info.partner_offset));
  out->set_partner_interval_ms(static_cast<uint32_t>(info.partner_interval_ms));
}

}  // namespace

grpc::Status SegmentationService::Admit(grpc::CallbackServerContext* ctx, const char* method,
                                        std::unique_ptr<AdmissionController::Ticket>* ticket) {
  absl::Status refusal;
  if (env_->shutting_down.load() || env_->engine.load() == nullptr) {
    refusal = absl::UnavailableError(env_->shutting_down.load() ? "server is shutting down"
                                                                : "model is loading (not ready)");
  } else {
    auto admitted = env_->admission->AdmitStream();
    if (admitted.ok()) {
      *ticket = *std::move(admitted);
      return grpc::Status::OK;
    }
    refusal = admitted.status();
  }
  env_->metrics->CountStream(StreamOutcome::kRejected);
  int64_t suppressed = 0;
  if (refusal_log_.Allow(&suppressed)) {
    spdlog::warn(
        "{} refused peer={} code={} message=\"{}\"{}", method, LogSafe(ctx->peer()),
        absl::StatusCodeToString(refusal.code()), LogSafe(refusal.message()),
        suppressed > 0 ? absl::StrCat(" (", suppressed, " more refusals not logged)") : "");
  }
  AddStatusTrailers(ctx, refusal);
  return ToGrpcStatus(refusal);
}

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* SegmentationService::SegmentStream(
    grpc::CallbackServerContext* ctx) {
  std::unique_ptr<AdmissionController::Ticket> ticket;
  if (grpc::Status s = Admit(ctx, "stream", &ticket); !s.ok()) {
    return new RefusedStream(std::move(s));
  }
  return new StreamReactor(ctx, env_, &registry_, std::move(ticket));
}

grpc::ServerUnaryReactor* SegmentationService::SegmentClip(grpc::CallbackServerContext* ctx,
                                                           const grpc::ByteBuffer* request,
                                                           grpc::ByteBuffer* response) {
  std::unique_ptr<AdmissionController::Ticket> ticket;
  if (grpc::Status s = Admit(ctx, "clip", &ticket); !s.ok()) {
    grpc::ServerUnaryReactor* r = ctx->DefaultReactor();
    r->Finish(std::move(s));
    return r;
  }
  return new ClipReactor(ctx, env_, std::move(ticket), request, response);
}

grpc::ServerUnaryReactor* SegmentationService::GetModelInfo(grpc::CallbackServerContext* ctx,
                                                            const grpc::ByteBuffer* request,
                                                            grpc::ByteBuffer* response) {
  grpc::ServerUnaryReactor* r = ctx->DefaultReactor();
  grpc::ByteBuffer copy(*request);
  v1::GetModelInfoRequest parsed;
  if (!grpc::SerializationTraits<v1::GetModelInfoRequest>::Deserialize(&copy, &parsed).ok()) {
    r->Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                           absl::StrCat("the request (", request->Length(),
                                        " bytes) does not parse as a "
                                        "botm.v1.GetModelInfoRequest")));
    return r;
  }
  InferenceEngine* engine = env_->engine.load();
  if (engine == nullptr) {
    r->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "model is loading (not ready)"));
    return r;
  }
  v1::GetModelInfoResponse info;
  FillModelInfo(*engine, &info);
  bool own = false;
  r->Finish(grpc::SerializationTraits<v1::GetModelInfoResponse>::Serialize(info, response, &own));
  return r;
}

}  // namespace botm::server
