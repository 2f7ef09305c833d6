// botm-server: the BOTM echocardiography segmentation service (gRPC).
//
// Configuration: command-line flags, or a file of flags with --flagfile=PATH (one
// --name=value per line, Abseil's standard mechanism). SIGTERM/SIGINT drain gracefully.
#include <csignal>
#include <cstdlib>
#include <string>
#include <thread>

#include <pthread.h>

#include <spdlog/spdlog.h>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/model/segmenter.h"
#include "server/botm_server.h"

ABSL_FLAG(std::string, host, "0.0.0.0", "Address to listen on");
ABSL_FLAG(int, port, 50051, "gRPC port (0 = pick a free one)");
ABSL_FLAG(int, metrics_port, 9090, "Prometheus /metrics port (0 = off)");
ABSL_FLAG(std::string, model, "",
          "Model checkpoint (.pt with .json card, or .ts); empty = the "
          "shipped default model");
ABSL_FLAG(std::string, device, "auto", "auto | cpu | cuda");
ABSL_FLAG(int, instances, 1, "Model worker threads sharing one set of weights");
ABSL_FLAG(int, threads_per_instance, 0, "LibTorch intra-op threads (0 = cores / instances)");
ABSL_FLAG(int, max_batch_size, 4, "Most frames per model batch");
ABSL_FLAG(int64_t, batch_timeout_micros, 2000, "Longest wait for a batch to fill, microseconds");
ABSL_FLAG(int, max_queue_frames, 64, "Most frames waiting for the model (all streams)");
ABSL_FLAG(int, max_streams, 32, "Most concurrent streams and clip calls");
ABSL_FLAG(int, max_message_bytes, 16777216, "Largest request message, bytes");
ABSL_FLAG(int64_t, max_frame_pixels, 16777216, "Largest frame, pixels");
ABSL_FLAG(int64_t, max_frames_per_clip, 10000, "Most frames per stream or clip");
ABSL_FLAG(int, stream_idle_timeout_s, 300, "End streams idle this long, seconds");
ABSL_FLAG(int, drain_deadline_s, 30, "Time open calls get to finish at shutdown, seconds");
ABSL_FLAG(double, admission_load_factor, 1.0,
          "Admit streams while their summed frame rates stay <= capacity x this (0 = off)");
ABSL_FLAG(std::string, tls_cert, "", "PEM server certificate (TLS when set with --tls_key)");
ABSL_FLAG(std::string, tls_key, "", "PEM server private key");
ABSL_FLAG(std::string, tls_client_ca, "", "PEM CA for client certificates (mutual TLS)");
ABSL_FLAG(std::string, log_format, "text", "text | json");

namespace {

botm::server::BotmServerOptions OptionsFromFlags(botm::Device device) {
  botm::server::BotmServerOptions o;
  o.host = absl::GetFlag(FLAGS_host);
  o.port = absl::GetFlag(FLAGS_port);
  o.max_message_bytes = absl::GetFlag(FLAGS_max_message_bytes);
  o.tls = {absl::GetFlag(FLAGS_tls_cert), absl::GetFlag(FLAGS_tls_key),
           absl::GetFlag(FLAGS_tls_client_ca)};
  o.engine.model_path = absl::GetFlag(FLAGS_model);
  o.engine.device = device;
  o.engine.instances = absl::GetFlag(FLAGS_instances);
  o.engine.threads_per_instance = absl::GetFlag(FLAGS_threads_per_instance);
  o.engine.max_batch_size = absl::GetFlag(FLAGS_max_batch_size);
  o.engine.batch_timeout_micros = absl::GetFlag(FLAGS_batch_timeout_micros);
  o.engine.max_queue_frames = absl::GetFlag(FLAGS_max_queue_frames);
  o.service.max_frame_pixels = absl::GetFlag(FLAGS_max_frame_pixels);
  o.service.session.max_frames_per_clip = absl::GetFlag(FLAGS_max_frames_per_clip);
  o.service.stream_idle_timeout = absl::Seconds(absl::GetFlag(FLAGS_stream_idle_timeout_s));
  o.admission.max_streams = absl::GetFlag(FLAGS_max_streams);
  o.admission.load_factor = absl::GetFlag(FLAGS_admission_load_factor);
  o.metrics.port = absl::GetFlag(FLAGS_metrics_port);
  return o;
}

bool ParseDevice(const std::string& s, botm::Device* d) {
  if (s == "auto")
    *d = botm::Device::kAuto;
  else if (s == "cpu")
    *d = botm::Device::kCpu;
  else if (s == "cuda")
    *d = botm::Device::kCuda;
  else
    return false;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  absl::FlagsUsageConfig usage;
  usage.contains_help_flags = [](absl::string_view file) {
    return absl::EndsWith(file, "server/main.cc");
  };
  absl::SetFlagsUsageConfig(usage);
  absl::SetProgramUsageMessage(
      "botm-server [--flag=value ...] [--flagfile=PATH]\n"
      "Serves botm.v1.SegmentationService over gRPC. Every flag has a working default; a config "
      "file "
      "is a --flagfile with one --name=value per line.");
  // SIGTERM/SIGINT are blocked in every thread and taken by sigwait() on one thread, which
  // starts the drain: no work happens in signal-handler context.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  absl::ParseCommandLine(argc, argv);
  if (absl::GetFlag(FLAGS_log_format) == "json") {
    spdlog::set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","msg":"%v"})",
                        spdlog::pattern_time_type::utc);
  } else if (absl::GetFlag(FLAGS_log_format) != "text") {
    spdlog::error("--log_format must be text or json");
    return 2;
  }
  botm::Device device;
  if (!ParseDevice(absl::GetFlag(FLAGS_device), &device)) {
    spdlog::error("--device must be auto, cpu or cuda");
    return 2;
  }
  botm::server::BotmServerOptions options = OptionsFromFlags(device);
  if (options.engine.model_path.empty()) options.engine.model_path = botm::DefaultModelPath();
  // The "model ready" line that follows carries the sha256, BLAS library and thread count.
  spdlog::info("botm-server starting model={} device={} threads_per_instance={} instances={}",
               options.engine.model_path, absl::GetFlag(FLAGS_device),
               options.engine.threads_per_instance, options.engine.instances);
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
