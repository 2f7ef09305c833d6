// botm-server: the BOTM echocardiography segmentation service (gRPC).
//
// Configuration: command-line flags, or a file of flags with --flagfile=PATH (one
// --name=value per line, Abseil's standard mechanism). SIGTERM/SIGINT drain gracefully.
// Exit codes: 0 after a drain, 1 when the server cannot start or the model does not load,
// 2 for bad flags.
#include <csignal>
#include <cstdlib>
#include <string>
#include <thread>

#include <pthread.h>

#include <spdlog/spdlog.h>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "core/common/flags.h"
#include "core/model/segmenter.h"
#include "server/botm_server.h"
#include "server/logging.h"

ABSL_FLAG(std::string, host, "0.0.0.0", "Address to listen on (gRPC, and /metrics by default)");
ABSL_FLAG(int, port, 50051, "gRPC port, 0..65535 (0 = pick a free one); must not be taken");
ABSL_FLAG(std::string, metrics_host, "", "Address of /metrics (empty = --host)");
ABSL_FLAG(int, metrics_port, 9090, "Prometheus /metrics port, 0..65535 (0 = off)");
ABSL_FLAG(std::string, model, "",
          "Model checkpoint (.pt with .json card, or .ts); empty = the shipped default model");
ABSL_FLAG(botm::Device, device, botm::Device::kAuto, "auto | cpu | cuda");
ABSL_FLAG(int, instances, 2,
          "Model worker threads sharing one set of weights (2: measured best on CPU, docs/PERFORMANCE.md)");
ABSL_FLAG(int, threads_per_instance, 0, "LibTorch intra-op threads (0 = cores / instances)");
ABSL_FLAG(int, max_batch_size, 4, "Most frames per model batch");
ABSL_FLAG(int64_t, batch_timeout_micros, 2000, "Longest wait for a batch to fill, microseconds");
ABSL_FLAG(int, max_queue_frames, 64, "Most frames waiting for the model (all streams)");
ABSL_FLAG(int, max_streams, 32, "Most concurrent streams and clip calls");
ABSL_FLAG(int, max_inflight_frames_per_stream, 8,
          "Frames of one stream read but not yet answered or sent before the server stops "
          "reading from it (backpressure); >= 2");
ABSL_FLAG(int, max_message_bytes, 16777216, "Largest request message, bytes");
ABSL_FLAG(int64_t, max_frame_pixels, 16777216, "Largest frame, pixels");
ABSL_FLAG(int64_t, max_frame_decoded_bytes, 64 << 20,
          "Largest decoded frame, bytes (width x height x channels x bytes per sample)");
ABSL_FLAG(int64_t, max_decoded_bytes_in_flight, 512 << 20,
          "Decoded bytes of all frames in flight on the server (0 = no bound)");
ABSL_FLAG(int, codec_threads, 2, "Threads decoding frames and building results");
ABSL_FLAG(int, codec_large_threads, 1,
          "Threads, at a lower OS priority, for frames over 4 MiB decoded (large frames)");
ABSL_FLAG(int, max_model_side_px, 1024,
          "Frames with a longer side are segmented at this side, masks scaled back (0 = off)");
ABSL_FLAG(int64_t, max_frames_per_clip, 10000, "Most frames per stream or clip");
ABSL_FLAG(int, stream_idle_timeout_s, 300, "End streams idle this long, seconds");
ABSL_FLAG(int, drain_deadline_s, 30, "Time open calls get to finish at shutdown, seconds");
ABSL_FLAG(double, admission_load_factor, 1.0,
          "Admit streams while their summed frame rates stay <= capacity x this (0 = off)");
ABSL_FLAG(double, capacity_fps, 0,
          "Frames/s the server sustains, for admission (0 = measured at warm-up)");
ABSL_FLAG(std::string, tls_cert, "", "PEM server certificate (TLS when set with --tls_key)");
ABSL_FLAG(std::string, tls_key, "", "PEM server private key");
ABSL_FLAG(std::string, tls_client_ca, "", "PEM CA for client certificates (mutual TLS)");
ABSL_FLAG(std::string, log_format, "text", "text | json");

namespace {

botm::server::BotmServerOptions OptionsFromFlags() {
  botm::server::BotmServerOptions o;
  o.host = absl::GetFlag(FLAGS_host);
  o.port = absl::GetFlag(FLAGS_port);
  o.max_message_bytes = absl::GetFlag(FLAGS_max_message_bytes);
  o.tls = {absl::GetFlag(FLAGS_tls_cert), absl::GetFlag(FLAGS_tls_key),
           absl::GetFlag(FLAGS_tls_client_ca)};
  o.model.model_path = absl::GetFlag(FLAGS_model);
  if (o.model.model_path.empty()) o.model.model_path = botm::DefaultModelPath();
  o.model.device = absl::GetFlag(FLAGS_device);
  o.model.intra_op_threads = absl::GetFlag(FLAGS_threads_per_instance);
  o.engine.instances = absl::GetFlag(FLAGS_instances);
  o.engine.max_batch_size = absl::GetFlag(FLAGS_max_batch_size);
  o.engine.batch_timeout_micros = absl::GetFlag(FLAGS_batch_timeout_micros);
  o.engine.max_queue_frames = absl::GetFlag(FLAGS_max_queue_frames);
  o.service.max_frame_pixels = absl::GetFlag(FLAGS_max_frame_pixels);
  o.service.max_frame_decoded_bytes = absl::GetFlag(FLAGS_max_frame_decoded_bytes);
  o.service.max_decoded_bytes_in_flight = absl::GetFlag(FLAGS_max_decoded_bytes_in_flight);
  o.service.codec_pool.threads = absl::GetFlag(FLAGS_codec_threads);
  o.service.codec_pool.large_threads = absl::GetFlag(FLAGS_codec_large_threads);
  o.service.max_model_side_px = absl::GetFlag(FLAGS_max_model_side_px);
  o.service.max_inflight_frames_per_stream = absl::GetFlag(FLAGS_max_inflight_frames_per_stream);
  o.service.session.max_frames_per_clip = absl::GetFlag(FLAGS_max_frames_per_clip);
  o.service.stream_idle_timeout = absl::Seconds(absl::GetFlag(FLAGS_stream_idle_timeout_s));
  o.admission.max_streams = absl::GetFlag(FLAGS_max_streams);
  o.admission.load_factor = absl::GetFlag(FLAGS_admission_load_factor);
  o.admission.capacity_frames_per_second = absl::GetFlag(FLAGS_capacity_fps);
  o.metrics.host = absl::GetFlag(FLAGS_metrics_host);
  o.metrics.port = absl::GetFlag(FLAGS_metrics_port);
  return o;
}

// Returns an error naming the flag when a port is outside 0..65535 (absl parses any int).
absl::Status CheckPorts() {
  for (const auto& [name, port] : {std::pair<const char*, int>{"--port", absl::GetFlag(FLAGS_port)},
                                   {"--metrics_port", absl::GetFlag(FLAGS_metrics_port)}}) {
    if (port < 0 || port > 65535) {
      return absl::InvalidArgumentError(absl::StrCat(name, " must be 0..65535, got ", port));
    }
  }
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  // SIGTERM/SIGINT are blocked in every thread and taken by sigwait() on one thread, which
  // starts the drain: no work happens in signal-handler context.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  botm::ParseFlags(argc, argv, __FILE__,
                   "botm-server [--flag=value ...] [--flagfile=PATH]\n"
                   "Serves botm.v1.SegmentationService over gRPC. Every flag has a working "
                   "default; a config file is a --flagfile with one --name=value per line.");
  if (absl::Status s = botm::server::ConfigureLogging(absl::GetFlag(FLAGS_log_format)); !s.ok()) {
    spdlog::error("--log_format: {}", std::string(s.message()));
    return 2;
  }
  if (absl::Status s = CheckPorts(); !s.ok()) {
    spdlog::error("{}", std::string(s.message()));
    return 2;
  }
  botm::server::BotmServerOptions options = OptionsFromFlags();
  // The "model ready" line that follows carries the sha256, BLAS library and thread count.
  // OMP_WAIT_POLICY (read by libgomp when it loaded) decides whether idle intra-op threads spin.
  const char* wait_policy = std::getenv("OMP_WAIT_POLICY");
  spdlog::info(
      "botm-server starting model={} device={} threads_per_instance={} instances={} "
      "omp_wait_policy={}",
      options.model.model_path, AbslUnparseFlag(options.model.device),
      options.model.intra_op_threads, options.engine.instances,
      wait_policy != nullptr ? wait_policy : "(unset: libgomp default)");
  auto server = botm::server::BotmServer::Start(options);
  if (!server.ok()) {
    spdlog::error("start failed: {}", server.status().ToString());
    return 1;
  }
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    spdlog::info("signal {} received", sig);
  });
  if (absl::Status ready = (*server)->WaitUntilReady(absl::InfiniteDuration()); !ready.ok()) {
    spdlog::error("model not loaded: {}", ready.ToString());
    pthread_kill(waiter.native_handle(), SIGTERM);
    waiter.join();
    return 1;
  }
  waiter.join();
  (*server)->Shutdown(absl::Seconds(absl::GetFlag(FLAGS_drain_deadline_s)));
  return 0;
}
