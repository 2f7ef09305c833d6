#include "client/bench_setup.h"

#include <cstdlib>
#include <fstream>

#include "client/service_calls.h"

namespace botm::client {

absl::StatusOr<ServedSide> ConnectServed(const ChannelOptions& options, bool bombs) {
  ServedSide side;
  auto connected = Connect(options);
  if (!connected.ok()) return connected.status();
  side.channel = *connected;
  if (bombs) {
    // A connection of its own, as from another client (not the benchmark's HTTP/2 one).
    ChannelOptions bomb_options = options;
    bomb_options.own_connection = true;
    auto bomb = Connect(bomb_options);
    if (!bomb.ok()) return bomb.status();
    side.bomb_channel = *bomb;
  }
  auto info = FetchModelInfo(side.channel, 10000);
  if (!info.ok()) return info.status();
  side.info = *info;
  return side;
}

absl::Status WriteTextFile(const std::string& path, const std::string& text) {
  if (path.empty()) return absl::OkStatus();
  std::ofstream out(path, std::ios::trunc);
  out << text;
  if (!out) return absl::InternalError("cannot write '" + path + "'");
  return absl::OkStatus();
}

nlohmann::json RunConfigJson(const BenchOptions& options, int rounds,
                             const server::InferenceEngine* engine,
                             const botm::v1::GetModelInfoResponse* served) {
  const char* policy = std::getenv("OMP_WAIT_POLICY");
  nlohmann::json config = {{"omp_wait_policy", policy != nullptr ? policy : ""},
                           {"size_px", options.size_px},
                           {"fps", options.fps},
                           {"duration_s", options.duration_s},
                           {"rounds", rounds},
                           {"max_in_flight", options.max_in_flight_frames}};
  if (engine != nullptr) {
    config["in_process"] = {{"model", engine->model_info().name},
                            {"weights_sha256", engine->model_info().weights_sha256},
                            {"instances", engine->options().instances},
                            {"threads_per_instance", engine->model_info().intra_op_threads},
                            {"max_batch_size", engine->options().max_batch_size}};
  }
  if (served != nullptr) {
    config["server"] = {{"model", served->name()},
                        {"weights_sha256", served->weights_sha256()},
                        {"instances", served->instances()},
                        {"max_batch_size", served->max_batch_size()}};
  }
  return config;
}

std::string AdmissionHint(const std::vector<BenchResult>& runs) {
  for (const BenchResult& run : runs) {
    for (const std::string& error : run.errors) {
      if (error.find("RESOURCE_EXHAUSTED") != std::string::npos) {
        return "hint: the server's admission control refused streams; for saturation runs "
               "start botm-server with --admission_load_factor=0";
      }
    }
  }
  return "";
}

}  // namespace botm::client
