// Prometheus metrics of botm-server. All families are created once in Create() (prometheus-cpp
// throws on bad names; a fixed set avoids that at run time). Names are a contract with the
// Grafana dashboard and the Helm chart:
//   botm_frames_total{outcome="ok|error|dropped|deadline_exceeded"}
//   botm_streams_total{outcome="ok|error|cancelled|rejected"}
//   botm_phase_latency_seconds{phase="decode|queue|inference|encode|total"} (histogram)
//   botm_batch_size (histogram), botm_queue_depth, botm_active_streams (gauges)
//   botm_frames_throttled_total (reads delayed by rate policing)
//   botm_model_info{name,version,sha256,device} = 1
//
// Thread-safety: every method is thread-safe. Owns the exposer (HTTP server) when enabled.
#ifndef BOTM_SERVER_SERVER_METRICS_H_
#define BOTM_SERVER_SERVER_METRICS_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "absl/status/statusor.h"

namespace botm::server {

struct ServerMetricsOptions {
  // Address the /metrics HTTP endpoint binds to (BotmServer: empty = the gRPC host; alone:
  // empty = 127.0.0.1).
  std::string host;
  // Port of /metrics; 0 = no HTTP endpoint (metrics still collected), -1 = pick a free port.
  int port = 9090;
};

enum class FrameOutcome { kOk = 0, kError, kDropped, kDeadlineExceeded };
enum class StreamOutcome { kOk = 0, kError, kCancelled, kRejected };
enum class Phase { kDecode = 0, kQueue, kInference, kEncode, kTotal };

class ServerMetrics {
 public:
  // Unavailable when the HTTP endpoint cannot be started (port in use, ...).
  static absl::StatusOr<std::unique_ptr<ServerMetrics>> Create(const ServerMetricsOptions& o);

  void CountFrame(FrameOutcome outcome);
  void CountStream(StreamOutcome outcome);
  void ObservePhase(Phase phase, double seconds);
  void ObserveBatch(int batch_size);
  void SetQueueDepth(int64_t frames);
  void AddActiveStreams(int delta);
  void CountThrottledFrame();
  // Sets botm_model_info{...} = 1 (once, at start-up).
  void SetModelInfo(const std::string& name, const std::string& version, const std::string& sha256,
                    const std::string& device);

  // Port of the HTTP endpoint actually bound; 0 when disabled.
  int port() const { return port_; }
  // The text exposition format (what GET /metrics returns).
  std::string Serialize() const;

 private:
  ServerMetrics() = default;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_ = 0;
  std::array<prometheus::Counter*, 4> frames_{};
  std::array<prometheus::Counter*, 4> streams_{};
  std::array<prometheus::Histogram*, 5> phases_{};
  prometheus::Histogram* batch_size_ = nullptr;
  prometheus::Gauge* queue_depth_ = nullptr;
  prometheus::Gauge* active_streams_ = nullptr;
  prometheus::Family<prometheus::Gauge>* model_info_ = nullptr;
  prometheus::Counter* throttled_ = nullptr;
};

}  // namespace botm::server

#endif  // BOTM_SERVER_SERVER_METRICS_H_
