#include "server/server_metrics.h"

#include <exception>
#include <sstream>
#include <utility>

#include <prometheus/text_serializer.h>

#include "absl/strings/str_cat.h"

namespace botm::server {
namespace {

prometheus::Histogram::BucketBoundaries LatencyBuckets() {
  // 0.5 ms .. ~16 s, doubling.
  prometheus::Histogram::BucketBoundaries b;
  for (double v = 0.0005; v < 20.0; v *= 2.0) b.push_back(v);
  return b;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ServerMetrics>> ServerMetrics::Create(
    const ServerMetricsOptions& o) {
  std::unique_ptr<ServerMetrics> m(new ServerMetrics());
  m->registry_ = std::make_shared<prometheus::Registry>();
  auto& reg = *m->registry_;
  auto& frames = prometheus::BuildCounter()
                     .Name("botm_frames_total")
                     .Help("Frames answered, by outcome")
                     .Register(reg);
  const char* frame_outcomes[] = {"ok", "error", "dropped", "deadline_exceeded"};
  for (int i = 0; i < 4; ++i) m->frames_[i] = &frames.Add({{"outcome", frame_outcomes[i]}});
  auto& streams = prometheus::BuildCounter()
                      .Name("botm_streams_total")
                      .Help("Streams ended, by outcome")
                      .Register(reg);
  const char* stream_outcomes[] = {"ok", "error", "cancelled", "rejected"};
  for (int i = 0; i < 4; ++i) m->streams_[i] = &streams.Add({{"outcome", stream_outcomes[i]}});
  auto& phases = prometheus::BuildHistogram()
                     .Name("botm_phase_latency_seconds")
                     .Help("Server time per frame and phase, seconds")
                     .Register(reg);
  const char* phase_names[] = {"decode", "queue", "inference", "encode", "total"};
  for (int i = 0; i < 5; ++i) {
    m->phases_[i] = &phases.Add({{"phase", phase_names[i]}}, LatencyBuckets());
  }
  m->batch_size_ = &prometheus::BuildHistogram()
                        .Name("botm_batch_size")
                        .Help("Frames per model batch")
                        .Register(reg)
                        .Add({}, prometheus::Histogram::BucketBoundaries{1, 2, 4, 8, 16, 32, 64});
  m->queue_depth_ = &prometheus::BuildGauge()
                         .Name("botm_queue_depth")
                         .Help("Frames waiting for the model")
                         .Register(reg)
                         .Add({});
  m->active_streams_ = &prometheus::BuildGauge()
                            .Name("botm_active_streams")
                            .Help("Streams open now")
                            .Register(reg)
                            .Add({});
  m->model_info_ = &prometheus::BuildGauge()
                        .Name("botm_model_info")
                        .Help("Loaded model identity (value 1)")
                        .Register(reg);
  m->throttled_ = &prometheus::BuildCounter()
                       .Name("botm_frames_throttled_total")
                       .Help("Reads delayed because a stream sent faster than it may")
                       .Register(reg)
                       .Add({});
  if (o.port != 0) {
    std::string host = o.host.empty() ? "127.0.0.1" : o.host;
    if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";
    const std::string address = absl::StrCat(host, ":", o.port < 0 ? 0 : o.port);
    try {
      m->exposer_ = std::make_unique<prometheus::Exposer>(address);
      m->exposer_->RegisterCollectable(m->registry_);
      const auto ports = m->exposer_->GetListeningPorts();
      m->port_ = ports.empty() ? 0 : ports.front();
    } catch (const std::exception& e) {
      return absl::UnavailableError(
          absl::StrCat("metrics: cannot serve /metrics on ", address, ": ", e.what()));
    }
  }
  return m;
}

void ServerMetrics::CountFrame(FrameOutcome outcome) {
  frames_[static_cast<int>(outcome)]->Increment();
}
void ServerMetrics::CountStream(StreamOutcome outcome) {
  streams_[static_cast<int>(outcome)]->Increment();
}
void ServerMetrics::ObservePhase(Phase phase, double seconds) {
  phases_[static_cast<int>(phase)]->Observe(seconds);
}
void ServerMetrics::ObserveBatch(int batch_size) { batch_size_->Observe(batch_size); }
void ServerMetrics::SetQueueDepth(int64_t frames) {
  queue_depth_->Set(static_cast<double>(frames));
}
void ServerMetrics::AddActiveStreams(int delta) { active_streams_->Increment(delta); }

void ServerMetrics::SetModelInfo(const std::string& name, const std::string& version,
                                 const std::string& sha256, const std::string& device) {
  model_info_->Add({{"name", name}, {"version", version}, {"sha256", sha256}, {"device", device}})
      .Set(1.0);
}

void ServerMetrics::CountThrottledFrame() { throttled_->Increment(); }

std::string ServerMetrics::Serialize() const {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, registry_->Collect());
  return out.str();
}

}  // namespace botm::server
