// Server lifecycle: health before warm-up and during shutdown, TLS and mutual TLS, and
// SIGTERM on the real botm-server binary (the open stream completes, then exit 0).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "absl/synchronization/notification.h"
#include "server/botm_server.h"
#include "tests/server/test_util.h"

namespace botm::server {
namespace {

using testing::Connect;

TEST(LifecycleTest, HealthFollowsWarmUpAndShutdown) {
  BotmServerOptions o = testing::LoopbackOptions(1);
  absl::Notification gate;
  std::unique_ptr<BotmServer> server = testing::StartWarmingUp(o, &gate);
  ASSERT_NE(server, nullptr);
  auto channel = Connect(server->port());
  EXPECT_EQ(testing::HealthStatus(channel, ""), "NOT_SERVING");
  EXPECT_EQ(testing::HealthStatus(channel, kServiceName), "NOT_SERVING");
  auto stub = v1::SegmentationService::NewStub(channel);
  {
    v1::GetModelInfoResponse info;
    grpc::ClientContext ctx;
    EXPECT_EQ(stub->GetModelInfo(&ctx, {}, &info).error_code(), grpc::StatusCode::UNAVAILABLE);
  }
  gate.Notify();
  ASSERT_TRUE(server->WaitUntilReady(absl::Seconds(120)).ok());
  EXPECT_EQ(testing::HealthStatus(channel, ""), "SERVING");
  EXPECT_EQ(testing::HealthStatus(channel, kServiceName), "SERVING");

  // An open stream holds the drain; meanwhile health says NOT_SERVING and new calls are
  // refused with UNAVAILABLE.
  grpc::ClientContext sctx;
  auto stream = stub->SegmentStream(&sctx);
  v1::SegmentStreamRequest req;
  req.mutable_config();
  ASSERT_TRUE(stream->Write(req));
  *req.mutable_frame() = testing::PngFrame(testing::SyntheticFrames(1)[0], 0);
  ASSERT_TRUE(stream->Write(req));
  v1::SegmentStreamResponse resp;
  ASSERT_TRUE(stream->Read(&resp));
  std::thread stopper([&] { server->Shutdown(absl::Seconds(30)); });
  std::string health;
  for (int i = 0; i < 100 && health != "NOT_SERVING"; ++i) {
    health = testing::HealthStatus(channel, kServiceName);
    if (health != "NOT_SERVING") std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(health, "NOT_SERVING");
  EXPECT_EQ(testing::HealthStatus(channel, ""), "NOT_SERVING");
  {
    v1::SegmentClipResponse clip;
    grpc::ClientContext ctx;
    v1::SegmentClipRequest creq;
    *creq.add_frames() = testing::PngFrame(testing::SyntheticFrames(1)[0], 0);
    EXPECT_EQ(stub->SegmentClip(&ctx, creq, &clip).error_code(), grpc::StatusCode::UNAVAILABLE);
  }
  stream->WritesDone();
  ASSERT_TRUE(stream->Read(&resp));
  EXPECT_TRUE(resp.has_summary());
  EXPECT_TRUE(stream->Finish().ok());
  stopper.join();
}

TEST(LifecycleTest, LoadAboveCapacityIsRefusedWithRetryHint) {
  BotmServerOptions o = testing::LoopbackOptions(1);
  o.admission.load_factor = 1.0;
  o.admission.default_retry_ms = 1500;  // nothing drained yet: the default hint
  auto server = testing::StartReady(o);
  ASSERT_NE(server, nullptr);
  auto stub = v1::SegmentationService::NewStub(Connect(server->port()));
  v1::SegmentStreamRequest config;
  config.mutable_config()->set_frame_rate_hz(1e6);  // far above any capacity
  grpc::ClientContext first_ctx;
  auto first = stub->SegmentStream(&first_ctx);
  ASSERT_TRUE(first->Write(config));  // the first stream is always admitted
  v1::SegmentStreamRequest frame;
  *frame.mutable_frame() = testing::PngFrame(testing::SyntheticFrames(1)[0], 0);
  ASSERT_TRUE(first->Write(frame));
  v1::SegmentStreamResponse resp;
  ASSERT_TRUE(first->Read(&resp));
  grpc::ClientContext second_ctx;
  auto second = stub->SegmentStream(&second_ctx);
  config.mutable_config()->set_frame_rate_hz(30);
  second->Write(config);
  EXPECT_FALSE(second->Read(&resp));
  EXPECT_EQ(second->Finish().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  const auto& trailers = second_ctx.GetServerTrailingMetadata();
  ASSERT_EQ(trailers.count("retry-after-ms"), 1u);
  EXPECT_EQ(std::string(trailers.find("retry-after-ms")->second.data(),
                        trailers.find("retry-after-ms")->second.size()),
            "1500");
  first->WritesDone();
  while (first->Read(&resp)) {
  }
  EXPECT_TRUE(first->Finish().ok());
  EXPECT_GE(testing::WaitForMetric([&] { return server->metrics().Serialize(); },
                                   "botm_streams_total{outcome=\"rejected\"}", 1.0),
            1.0);
}

TEST(LifecycleTest, IdleStreamTimesOut) {
  BotmServerOptions o = testing::LoopbackOptions(1);
  o.service.stream_idle_timeout = absl::Seconds(1);
  auto server = testing::StartReady(o);
  ASSERT_NE(server, nullptr);
  auto stub = v1::SegmentationService::NewStub(Connect(server->port()));
  grpc::ClientContext ctx;
  auto stream = stub->SegmentStream(&ctx);
  v1::SegmentStreamRequest req;
  req.mutable_config();
  ASSERT_TRUE(stream->Write(req));
  const absl::Time t0 = absl::Now();
  v1::SegmentStreamResponse resp;
  EXPECT_FALSE(stream->Read(&resp));  // nothing sent: the server ends the stream
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_GE(absl::Now() - t0, absl::Milliseconds(900));
  EXPECT_LT(absl::Now() - t0, absl::Seconds(30));
}

// Issue 9: a missing checkpoint was reported as a missing model card.
TEST(LifecycleTest, MissingModelIsReportedAsAMissingModel) {
  BotmServerOptions o = testing::LoopbackOptions(1);
  o.engine_factory = nullptr;  // the real loader
  o.model.model_path = "/nonexistent/botm-model.pt";
  auto server = BotmServer::Start(o);
  ASSERT_TRUE(server.ok()) << server.status();
  const absl::Status ready = (*server)->WaitUntilReady(absl::Seconds(60));
  EXPECT_EQ(ready.code(), absl::StatusCode::kNotFound) << ready;
  EXPECT_NE(ready.message().find("/nonexistent/botm-model.pt"), std::string::npos) << ready;
  EXPECT_EQ(ready.message().find("card"), std::string::npos) << ready;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Makes a self-signed certificate for localhost/127.0.0.1 with the openssl CLI.
bool MakeCert(const std::string& dir, const std::string& name) {
  const std::string cmd =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost"
      " -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout " +
      dir + "/" + name + ".key -out " + dir + "/" + name + ".crt >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

TEST(LifecycleTest, TlsAndMutualTls) {
  if (std::system("openssl version >/dev/null 2>&1") != 0) GTEST_SKIP() << "no openssl CLI";
  const std::string dir =
      std::filesystem::temp_directory_path() / ("botm-tls-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  ASSERT_TRUE(MakeCert(dir, "server"));
  ASSERT_TRUE(MakeCert(dir, "client"));
  BotmServerOptions o = testing::LoopbackOptions(1);
  o.tls = {dir + "/server.crt", dir + "/server.key", dir + "/client.crt"};
  auto server = testing::StartReady(o);
  ASSERT_NE(server, nullptr);
  const std::string target = "127.0.0.1:" + std::to_string(server->port());
  auto call = [&](std::shared_ptr<grpc::ChannelCredentials> creds) {
    auto stub = v1::SegmentationService::NewStub(grpc::CreateChannel(target, creds));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::GetModelInfoResponse info;
    return stub->GetModelInfo(&ctx, {}, &info);
  };
  grpc::SslCredentialsOptions with_client;
  with_client.pem_root_certs = Slurp(dir + "/server.crt");
  with_client.pem_private_key = Slurp(dir + "/client.key");
  with_client.pem_cert_chain = Slurp(dir + "/client.crt");
  EXPECT_TRUE(call(grpc::SslCredentials(with_client)).ok());
  grpc::SslCredentialsOptions without_client;
  without_client.pem_root_certs = with_client.pem_root_certs;
  EXPECT_FALSE(call(grpc::SslCredentials(without_client)).ok());
  EXPECT_FALSE(call(grpc::InsecureChannelCredentials()).ok());
  std::filesystem::remove_all(dir);
}

TEST(LifecycleTest, SigtermDrainsTheOpenStreamAndExitsZero) {
  const int port = testing::FreePort();
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const std::string port_flag = "--port=" + std::to_string(port);
    const std::string model_flag = "--model=" + testing::TestModelPath();
    ::execl(BOTM_SERVER_BINARY, BOTM_SERVER_BINARY, "--host=127.0.0.1", port_flag.c_str(),
            "--metrics_port=0", model_flag.c_str(), "--device=cpu", "--threads_per_instance=1",
            "--drain_deadline_s=20", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  auto channel = Connect(port);
  std::string health;
  for (int i = 0; i < 600 && health != "SERVING"; ++i) {
    health = testing::HealthStatus(channel, kServiceName);
    if (health != "SERVING") std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(health, "SERVING");
  auto stub = v1::SegmentationService::NewStub(channel);
  const std::vector<cv::Mat> frames = testing::SyntheticFrames(4);
  grpc::ClientContext ctx;
  auto stream = stub->SegmentStream(&ctx);
  v1::SegmentStreamRequest req;
  req.mutable_config();
  ASSERT_TRUE(stream->Write(req));
  *req.mutable_frame() = testing::PngFrame(frames[0], 0);
  ASSERT_TRUE(stream->Write(req));
  v1::SegmentStreamResponse resp;
  ASSERT_TRUE(stream->Read(&resp));
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  for (uint64_t i = 1; i < frames.size(); ++i) {  // the stream goes on during the drain
    *req.mutable_frame() = testing::PngFrame(frames[i], i);
    ASSERT_TRUE(stream->Write(req));
  }
  stream->WritesDone();
  int results = 1;
  bool summary = false;
  while (stream->Read(&resp)) {
    results += resp.has_result() ? 1 : 0;
    summary = summary || resp.has_summary();
  }
  EXPECT_TRUE(stream->Finish().ok());
  EXPECT_EQ(results, 4);
  EXPECT_TRUE(summary);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace botm::server
