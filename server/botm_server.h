// botm-server assembled: gRPC server (callback API) with the Segmentation service, the
// built-in health service, reflection, TLS/mTLS, Prometheus metrics, and the inference engine
// loaded in the background (health NOT_SERVING until its warm-up is done).
//
// Lifecycle: Start() -> (model loads, health SERVING) -> Shutdown(drain) -> destruction.
// Thread-safety: all methods are thread-safe; Shutdown() is idempotent.
#ifndef BOTM_SERVER_BOTM_SERVER_H_
#define BOTM_SERVER_BOTM_SERVER_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include <grpcpp/grpcpp.h>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "server/admission.h"
#include "server/inference_engine.h"
#include "server/segmentation_service.h"
#include "server/server_metrics.h"
#include "server/service_env.h"

namespace botm::server {

struct TlsOptions {
  // PEM files; TLS is on when cert and key are set. With client_ca_path the server requires
  // and verifies client certificates (mutual TLS).
  std::string cert_path;
  std::string key_path;
  std::string client_ca_path;
};

struct BotmServerOptions {
  std::string host = "0.0.0.0";
  int port = 50051;  // 0 = pick a free port (see BotmServer::port())
  // Largest request message, bytes (larger ones fail with RESOURCE_EXHAUSTED).
  int max_message_bytes = 16 * 1024 * 1024;
  // Largest response message, bytes (a long SegmentClip answer can be big).
  int max_send_message_bytes = 256 * 1024 * 1024;
  TlsOptions tls;
  InferenceEngineOptions engine;
  ServiceOptions service;
  AdmissionOptions admission;
  ServerMetricsOptions metrics;
  // Makes the engine from `engine` (with the server's on_batch metrics hook filled in);
  // null = InferenceEngine::Create. Runs on the loader thread.
  std::function<absl::StatusOr<std::unique_ptr<InferenceEngine>>(const InferenceEngineOptions&)>
      engine_factory;
};

// The health service names whose status the server drives.
inline constexpr const char* kServiceName = "botm.v1.SegmentationService";

class BotmServer {
 public:
  // Starts listening (health NOT_SERVING) and loads the model in the background.
  // InvalidArgument for unreadable TLS files; Unavailable when a port cannot be bound.
  static absl::StatusOr<std::unique_ptr<BotmServer>> Start(const BotmServerOptions& options);
  // Shuts down with no drain time if Shutdown() was not called.
  ~BotmServer();

  int port() const { return port_; }
  int metrics_port() const { return metrics_->port(); }
  ServerMetrics& metrics() { return *metrics_; }
  // Blocks until the model is loaded and warmed up (OK), loading failed (its status) or the
  // timeout passes (DeadlineExceeded).
  absl::Status WaitUntilReady(absl::Duration timeout);

  // Graceful stop: health NOT_SERVING, new calls refused with UNAVAILABLE, open calls get up
  // to `drain` to finish, then the rest are cancelled and the engine stops.
  void Shutdown(absl::Duration drain);

 private:
  explicit BotmServer(const BotmServerOptions& options);
  void LoadModel();

  const BotmServerOptions options_;
  std::unique_ptr<ServerMetrics> metrics_;
  std::unique_ptr<AdmissionController> admission_;
  ServiceEnv env_;
  std::unique_ptr<SegmentationService> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::thread loader_;
  absl::Notification load_done_;
  absl::Status load_status_;  // written before load_done_ is notified
  std::unique_ptr<InferenceEngine> engine_;
  absl::Mutex shutdown_mu_;
  bool shut_down_ ABSL_GUARDED_BY(shutdown_mu_) = false;
};

}  // namespace botm::server

#endif  // BOTM_SERVER_BOTM_SERVER_H_
