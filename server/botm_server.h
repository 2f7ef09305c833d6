// botm-server assembled: gRPC server (callback API) with the segmentation service, health
// (grpc.health.v1, health_service.h), reflection, TLS/mTLS, Prometheus metrics, the codec pool
// and decode budget, and the inference engine loaded in the background (health NOT_SERVING
// until its warm-up is done).
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
#include "core/model/segmenter.h"
#include "server/admission.h"
#include "server/decode_budget.h"
#include "server/health_service.h"
#include "server/inference_engine.h"
#include "server/segmentation_service.h"
#include "server/server_metrics.h"
#include "server/service_env.h"
#include "server/work_pool.h"

namespace botm::server {

struct TlsOptions {
  // PEM files; TLS is on when cert and key are set. With client_ca_path the server requires
  // and verifies client certificates (mutual TLS).
  std::string cert_path;
  std::string key_path;
  std::string client_ca_path;
};

struct BotmServerOptions {
  // Address of the gRPC port and, unless metrics.host is set, of /metrics.
  std::string host = "0.0.0.0";
  // 0..65535; 0 = pick a free port (see BotmServer::port()). The port must be free: it is
  // bound without SO_REUSEPORT, so a second server on it fails to start.
  int port = 50051;
  // Largest request message, bytes (larger ones fail with RESOURCE_EXHAUSTED).
  int max_message_bytes = 16 * 1024 * 1024;
  // Largest response message, bytes (a long SegmentClip answer can be big).
  int max_send_message_bytes = 256 * 1024 * 1024;
  TlsOptions tls;
  // The checkpoint, device and intra-op threads (0 = cores / engine instances).
  SegmenterOptions model;
  InferenceEngineOptions engine;
  ServiceOptions service;
  AdmissionOptions admission;
  ServerMetricsOptions metrics;
  // Makes the engine from `engine` (with the server's on_batch metrics hook filled in);
  // null = load `model` (model_loader.h). Runs on the loader thread. For tests.
  std::function<absl::StatusOr<std::unique_ptr<InferenceEngine>>(const InferenceEngineOptions&)>
      engine_factory;
};

// The health service names whose status the server drives (besides "").
inline constexpr const char* kServiceName = "botm.v1.SegmentationService";

class BotmServer {
 public:
  // Starts listening (health NOT_SERVING) and loads the model in the background.
  // InvalidArgument for bad options (ports outside 0..65535, ...) or unreadable TLS files;
  // Unavailable when a port cannot be bound (e.g. it is taken).
  static absl::StatusOr<std::unique_ptr<BotmServer>> Start(const BotmServerOptions& options);
  // Shuts down with no drain time if Shutdown() was not called.
  ~BotmServer();

  int port() const { return port_; }
  int metrics_port() const { return metrics_->port(); }
  ServerMetrics& metrics() { return *metrics_; }
  // Blocks until the model is loaded and warmed up (OK), loading failed (its status) or the
  // timeout passes (DeadlineExceeded).
  absl::Status WaitUntilReady(absl::Duration timeout);

  // Graceful stop: health NOT_SERVING (open Watch calls end), new calls refused with
  // UNAVAILABLE, open calls get up to `drain` to finish, then the rest are cancelled and the
  // engine stops.
  void Shutdown(absl::Duration drain);

 private:
  explicit BotmServer(const BotmServerOptions& options);
  absl::Status Listen();
  void LoadModel();

  const BotmServerOptions options_;
  std::unique_ptr<ServerMetrics> metrics_;
  std::unique_ptr<AdmissionController> admission_;
  std::unique_ptr<WorkPool> codec_pool_;
  std::unique_ptr<DecodeBudget> decode_budget_;
  ServiceEnv env_;
  std::unique_ptr<HealthService> health_;
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
