#include "server/botm_server.h"

#include <fstream>
#include <sstream>
#include <utility>

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <spdlog/spdlog.h>

#include "absl/strings/str_cat.h"
#include "server/logging.h"
#include "server/model_loader.h"

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

absl::Status ValidateOptions(const BotmServerOptions& o) {
  if (o.port < 0 || o.port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("port must be 0..65535, got ", o.port));
  }
  if (o.metrics.port < -1 || o.metrics.port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("metrics port must be -1..65535, got ", o.metrics.port));
  }
  if (o.service.max_inflight_frames_per_stream < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_inflight_frames_per_stream must be >= 2, got ",
                     o.service.max_inflight_frames_per_stream));
  }
  if (o.admission.max_streams < 1) return absl::InvalidArgumentError("max_streams must be >= 1");
  return absl::OkStatus();
}

}  // namespace

BotmServer::BotmServer(const BotmServerOptions& options) : options_(options) {}

absl::StatusOr<std::unique_ptr<BotmServer>> BotmServer::Start(const BotmServerOptions& options) {
  if (absl::Status s = ValidateOptions(options); !s.ok()) return s;
  std::unique_ptr<BotmServer> s(new BotmServer(options));
  ServerMetricsOptions metrics_options = options.metrics;
  if (metrics_options.host.empty()) metrics_options.host = options.host;
  auto metrics = ServerMetrics::Create(metrics_options);
  if (!metrics.ok()) return metrics.status();
  s->metrics_ = *std::move(metrics);
  auto pool = WorkPool::Create(options.service.codec_pool);
  if (!pool.ok()) return pool.status();
  s->codec_pool_ = *std::move(pool);
  s->decode_budget_ = std::make_unique<DecodeBudget>(options.service.max_decoded_bytes_in_flight);
  s->admission_ = std::make_unique<AdmissionController>(options.admission);
  s->env_.options = options.service;
  s->env_.metrics = s->metrics_.get();
  s->env_.admission = s->admission_.get();
  s->env_.codec_pool = s->codec_pool_.get();
  s->env_.decode_budget = s->decode_budget_.get();
  if (absl::Status l = s->Listen(); !l.ok()) return l;
  spdlog::info("listening on {}:{} tls={} mtls={} metrics={}:{}", options.host, s->port_,
               !options.tls.cert_path.empty(), !options.tls.client_ca_path.empty(),
               metrics_options.host, s->metrics_->port());
  s->loader_ = std::thread([p = s.get()] { p->LoadModel(); });
  return s;
}

absl::Status BotmServer::Listen() {
  StreamRegistryOptions reg;
  reg.idle_timeout = options_.service.stream_idle_timeout;
  service_ = std::make_unique<SegmentationService>(&env_, reg);
  health_ = std::make_unique<HealthService>(std::vector<std::string>{kServiceName});
  auto creds = MakeCredentials(options_.tls);
  if (!creds.ok()) return creds.status();
  grpc::EnableDefaultHealthCheckService(false);  // ours follows warm-up and shutdown
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  const std::string address = absl::StrCat(options_.host, ":", options_.port);
  builder.AddListeningPort(address, *creds, &port_);
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);  // a taken port is an error
  builder.SetMaxReceiveMessageSize(options_.max_message_bytes);
  builder.SetMaxSendMessageSize(options_.max_send_message_bytes);
  builder.RegisterService(service_.get());
  builder.RegisterService(health_.get());
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", address, " (is the port taken or the host wrong?)"));
  }
  return absl::OkStatus();
}

void BotmServer::LoadModel() {
  InferenceEngineOptions engine_options = options_.engine;
  ServerMetrics* metrics = metrics_.get();
  engine_options.on_batch = [metrics, user = options_.engine.on_batch](int size, double s) {
    metrics->ObserveBatch(size);
    if (user) user(size, s);
  };
  auto engine = options_.engine_factory ? options_.engine_factory(engine_options)
                                        : LoadEngine(options_.model, engine_options);
  absl::MutexLock lock(&shutdown_mu_);
  if (!engine.ok()) {
    load_status_ = engine.status();
    spdlog::error("model load failed: {}", LogSafe(load_status_.ToString(), 1000));
  } else if (shut_down_) {
    load_status_ = absl::UnavailableError("shut down while the model was loading");
  } else {
    engine_ = *std::move(engine);
    const ModelInfo& info = engine_->model_info();
    admission_->SetCapacity(engine_->capacity_frames_per_second());
    metrics_->SetModelInfo(info.name, info.version, info.weights_sha256, info.device);
    env_.engine.store(engine_.get());
    health_->SetServing(true);
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
    health_->Shutdown();  // NOT_SERVING for every name from now on
    env_.shutting_down.store(true);
  }
  spdlog::info("shutdown: draining {} open calls for up to {:.1f} s", env_.open_calls.count(),
               absl::ToDoubleSeconds(drain));
  const absl::Time deadline = absl::Now() + drain;
  env_.open_calls.WaitUntilZero(deadline);
  // Watch calls end by themselves after their last NOT_SERVING; allow them a moment.
  health_->WaitForWatchersToEnd(absl::Now() + absl::Seconds(1));
  server_->Shutdown(std::chrono::system_clock::now());  // cancels what is left
  if (loader_.joinable()) loader_.join();
  if (engine_ != nullptr) engine_->Stop();
  codec_pool_->Stop();
  spdlog::info("shutdown complete");
}

BotmServer::~BotmServer() {
  Shutdown(absl::ZeroDuration());
  env_.engine.store(nullptr);
}

}  // namespace botm::server
