#include "tests/server/test_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "core/image/image_codec.h"
#include "core/image/mask_codec.h"
#include "core/model/model_factory.h"
#include "core/model/segmenter.h"
#include "core/synth/echo_generator.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace botm::server::testing {

const std::string& TestModelPath() {
  static const std::string* path = [] {
    const std::string shipped = DefaultModelPath();
    if (std::filesystem::exists(shipped)) return new std::string(shipped);
    const std::string dir =
        std::filesystem::temp_directory_path() / ("botm-server-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto* p = new std::string(dir + "/untrained.pt");
    const absl::Status s = CreateInitialCheckpoint(ModelConfig{}, 1234, *p);
    if (!s.ok()) ADD_FAILURE() << "cannot make a test checkpoint: " << s;
    return p;
  }();
  return *path;
}

std::shared_ptr<Segmenter> SharedModel() {
  static std::shared_ptr<Segmenter>* model = [] {
    SegmenterOptions o;
    o.model_path = TestModelPath();
    o.device = Device::kCpu;
    o.intra_op_threads = 1;
    auto m = Segmenter::Create(o);
    EXPECT_TRUE(m.ok()) << m.status();
    return new std::shared_ptr<Segmenter>(m.ok() ? std::move(*m) : nullptr);
  }();
  return *model;
}

std::vector<cv::Mat> SyntheticFrames(int num_frames, uint64_t seed) {
  synth::ClipOptions o;
  o.seed = seed;
  o.num_frames = num_frames;
  auto gen = synth::EchoGenerator::Create(o);
  EXPECT_TRUE(gen.ok()) << gen.status();
  std::vector<cv::Mat> frames;
  if (!gen.ok()) return frames;
  for (int t = 0; t < num_frames; ++t) frames.push_back((*gen)->Render(t).image);
  return frames;
}

v1::Frame PngFrame(const cv::Mat& image, uint64_t index) {
  v1::Frame f;
  f.set_index(index);
  f.set_timestamp_us(static_cast<int64_t>(index) * 33333);
  auto png = image::EncodePng(image);
  EXPECT_TRUE(png.ok()) << png.status();
  if (png.ok()) f.set_encoded(*png);
  return f;
}

v1::SegmentStreamRequest ConfigReq(const v1::StreamConfig& config) {
  v1::SegmentStreamRequest r;
  *r.mutable_config() = config;
  return r;
}

v1::SegmentStreamRequest FrameReq(const v1::Frame& frame) {
  v1::SegmentStreamRequest r;
  *r.mutable_frame() = frame;
  return r;
}

std::unique_ptr<BotmServer> StartWarmingUp(BotmServerOptions options, absl::Notification* gate) {
  options.engine_factory = [gate](const InferenceEngineOptions& engine) {
    gate->WaitForNotification();
    return InferenceEngine::CreateWithModel(engine, SharedModel());
  };
  auto started = BotmServer::Start(options);
  EXPECT_TRUE(started.ok()) << started.status();
  return started.ok() ? *std::move(started) : nullptr;
}

BotmServerOptions LoopbackOptions(int max_batch_size) {
  BotmServerOptions o;
  o.host = "127.0.0.1";
  o.port = 0;
  o.metrics.host = "127.0.0.1";
  o.metrics.port = -1;
  o.model.model_path = TestModelPath();
  o.model.device = Device::kCpu;
  o.model.intra_op_threads = 1;
  o.engine.instances = 1;
  o.engine.max_batch_size = max_batch_size;
  o.engine.warmup_iterations = 1;
  o.admission.load_factor = 0;  // tests open several streams on one core
  o.engine_factory = [](const InferenceEngineOptions& engine) {
    return InferenceEngine::CreateWithModel(engine, SharedModel());
  };
  return o;
}

std::unique_ptr<BotmServer> StartReady(const BotmServerOptions& options) {
  auto server = BotmServer::Start(options);
  EXPECT_TRUE(server.ok()) << server.status();
  if (!server.ok()) return nullptr;
  const absl::Status ready = (*server)->WaitUntilReady(absl::Seconds(120));
  EXPECT_TRUE(ready.ok()) << ready;
  return std::move(*server);
}

std::shared_ptr<grpc::Channel> Connect(int port) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  args.SetMaxSendMessageSize(64 << 20);
  // Short reconnect backoff: tests poll servers that are still starting.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 500);
  return grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port),
                                   grpc::InsecureChannelCredentials(), args);
}

std::string HealthStatus(const std::shared_ptr<grpc::Channel>& channel,
                         const std::string& service) {
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::health::v1::HealthCheckRequest req;
  req.set_service(service);
  grpc::health::v1::HealthCheckResponse resp;
  const grpc::Status s = stub->Check(&ctx, req, &resp);
  if (!s.ok()) return "rpc error " + std::to_string(s.error_code()) + ": " + s.error_message();
  return grpc::health::v1::HealthCheckResponse::ServingStatus_Name(resp.status());
}

std::string HttpGet(int port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    const std::string req = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if (::send(fd, req.data(), req.size(), 0) == static_cast<ssize_t>(req.size())) {
      char buf[4096];
      ssize_t n;
      while ((n = ::recv(fd, buf, sizeof(buf), 0)) > 0) out.append(buf, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return out;
}

double MetricValue(const std::string& exposition, const std::string& series) {
  std::istringstream in(exposition);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return -1.0;
}

double WaitForMetric(const std::function<std::string()>& scrape, const std::string& series,
                     double value, bool exact) {
  double v = -1;
  for (int i = 0; i < 200; ++i) {
    v = MetricValue(scrape(), series);
    if (exact ? v == value : v >= value) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return v;
}

cv::Mat DecodeMask(const v1::Mask& mask) {
  if (mask.encoding() == v1::MASK_ENCODING_RLE) {
    auto m = image::DecodeRle(mask.data(), mask.width(), mask.height());
    return m.ok() ? *m : cv::Mat();
  }
  auto m = image::DecodeMaskPng(mask.data());
  return m.ok() ? *m : cv::Mat();
}

int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace botm::server::testing
