#include "server/botm_server.h"

#include <fstream>
#include <sstream>
#include <utility>

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <spdlog/spdlog.h>

#include "absl/strings/str_cat.h"

namespace botm::server {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read ", path));
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeCredentials(const TlsOptions& tls) {
  if (tls.cert_path.empty() && tls.key_path.empty()) return grpc::InsecureServerCredentials();
  if (tls.cert_path.empty() || tls.key_path.empty()) {
    return absl::InvalidArgumentError("TLS needs both a certificate and a key");
  }
  auto cert = ReadFile(tls.cert_path);
  if (!cert.ok()) return cert.status();
  auto key = ReadFile(tls.key_path);
  if (!key.ok()) return key.status();
  grpc::SslServerCredentialsOptions o(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  if (!tls.client_ca_path.empty()) {
    auto ca = ReadFile(tls.client_ca_path);
    if (!ca.ok()) return ca.status();
    o.pem_root_certs = *ca;
    o.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  o.pem_key_cert_pairs.push_back({*key, *cert});
  return grpc::SslServerCredentials(o);
}

void SetHealth(grpc::Server* server, bool serving) {
  grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService();
  if (health == nullptr) return;
  health->SetServingStatus("", serving);
  health->SetServingStatus(kServiceName, serving);
}

}  // namespace

BotmServer::BotmServer(const BotmServerOptions& options) : options_(options) {}

absl::StatusOr<std::unique_ptr<BotmServer>> BotmServer::Start(const BotmServerOptions& options) {
  std::unique_ptr<BotmServer> s(new BotmServer(options));
  auto metrics = ServerMetrics::Create(options.metrics);
  if (!metrics.ok()) return metrics.status();
  s->metrics_ = std::move(*metrics);
  s->admission_ = std::make_unique<AdmissionController>(options.admission);
  s->env_.options = options.service;
  s->env_.metrics = s->metrics_.get();
  s->env_.admission = s->admission_.get();
  StreamRegistryOptions reg;
  reg.idle_timeout = options.service.stream_idle_timeout;
  s->service_ = std::make_unique<SegmentationService>(&s->env_, reg);

  auto creds = MakeCredentials(options.tls);
  if (!creds.ok()) return creds.status();
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(absl::StrCat(options.host, ":", options.port), *creds, &s->port_);
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.SetMaxSendMessageSize(options.max_send_message_bytes);
  builder.RegisterService(s->service_.get());
  s->server_ = builder.BuildAndStart();
  if (s->server_ == nullptr || s->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.host, ":", options.port));
  }
  SetHealth(s->server_.get(), false);
  spdlog::info("listening on {}:{} tls={} mtls={} metrics_port={}", options.host, s->port_,
               !options.tls.cert_path.empty(), !options.tls.client_ca_path.empty(),
               s->metrics_->port());
  s->loader_ = std::thread([p = s.get()] { p->LoadModel(); });
  return s;
}

void BotmServer::LoadModel() {
  InferenceEngineOptions engine_options = options_.engine;
  ServerMetrics* metrics = metrics_.get();
  engine_options.on_batch = [metrics, user = options_.engine.on_batch](int size, double s) {
    metrics->ObserveBatch(size);
    if (user) user(size, s);
  };
  auto engine = options_.engine_factory ? options_.engine_factory(engine_options)
                                        : InferenceEngine::Create(engine_options);
  absl::MutexLock lock(&shutdown_mu_);
  if (!engine.ok()) {
    load_status_ = engine.status();
    spdlog::error("model load failed: {}", load_status_.ToString());
  } else if (shut_down_) {
    load_status_ = absl::UnavailableError("shut down while the model was loading");
  } else {
    engine_ = std::move(*engine);
    const ModelInfo& info = engine_->model_info();
    admission_->SetCapacity(engine_->capacity_frames_per_second());
    metrics_->SetModelInfo(info.name, info.version, info.weights_sha256, info.device);
    env_.engine.store(engine_.get());
    SetHealth(server_.get(), true);
    spdlog::info(
        "model ready name={} version={} variant={} sha256={} device={} blas={} threads={} "
        "instances={} max_batch={} capacity_fps={:.1f}",
        info.name, info.version, info.variant, info.weights_sha256, info.device, info.blas,
        info.intra_op_threads, engine_->options().instances, engine_->options().max_batch_size,
        engine_->capacity_frames_per_second());
  }
  load_done_.Notify();
}

absl::Status BotmServer::WaitUntilReady(absl::Duration timeout) {
  if (!load_done_.WaitForNotificationWithTimeout(timeout)) {
    return absl::DeadlineExceededError("model not ready yet");
  }
  return load_status_;
}

void BotmServer::Shutdown(absl::Duration drain) {
  {
    absl::MutexLock lock(&shutdown_mu_);
    if (shut_down_ || server_ == nullptr) return;
    shut_down_ = true;
    // NOT_SERVING from now on, for every service name (later updates are ignored).
    if (auto* health = server_->GetHealthCheckService()) health->Shutdown();
    env_.shutting_down.store(true);
  }
  spdlog::info("shutdown: draining {} open calls for up to {:.1f} s", admission_->active_streams(),
               absl::ToDoubleSeconds(drain));
  const absl::Time deadline = absl::Now() + drain;
  while (admission_->active_streams() > 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  server_->Shutdown(std::chrono::system_clock::now());  // cancels what is left
  if (loader_.joinable()) loader_.join();
  if (engine_ != nullptr) engine_->Stop();
  spdlog::info("shutdown complete");
}

BotmServer::~BotmServer() {
  Shutdown(absl::ZeroDuration());
  env_.engine.store(nullptr);
}

}  // namespace botm::server
