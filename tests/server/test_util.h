// Helpers shared by the server tests: a real model checkpoint, synthetic clips, a loopback
// server, health checks and a tiny HTTP GET.
#ifndef BOTM_TESTS_SERVER_TEST_UTIL_H_
#define BOTM_TESTS_SERVER_TEST_UTIL_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <opencv2/core.hpp>

#include "absl/synchronization/notification.h"
#include "botm/v1/segmentation.grpc.pb.h"
#include "server/botm_server.h"

namespace botm::server::testing {

// The shipped default model when it exists, else a seeded untrained "tiny" checkpoint made
// once per process in a temporary directory.
const std::string& TestModelPath();

// One Segmenter on TestModelPath() (CPU, one intra-op thread), loaded once per process.
std::shared_ptr<Segmenter> SharedModel();

// Frames (CV_8UC1, 128x128) of a deterministic synthetic clip.
std::vector<cv::Mat> SyntheticFrames(int num_frames, uint64_t seed = 7);

// A Frame message with the image PNG-encoded.
v1::Frame PngFrame(const cv::Mat& image, uint64_t index);

// A SegmentStreamRequest carrying `config` / `frame`.
v1::SegmentStreamRequest ConfigReq(const v1::StreamConfig& config = {});
v1::SegmentStreamRequest FrameReq(const v1::Frame& frame);

// Options of a loopback test server: port 0, /metrics on a free port, 1 instance on
// SharedModel(), batch size `max_batch_size`, no load-based admission.
BotmServerOptions LoopbackOptions(int max_batch_size = 1);

// Starts a server whose model load waits for `gate` (health NOT_SERVING until then); null
// when it cannot start (with a test failure).
std::unique_ptr<BotmServer> StartWarmingUp(BotmServerOptions options, absl::Notification* gate);

// Starts a server and waits until it is ready (asserting success).
std::unique_ptr<BotmServer> StartReady(const BotmServerOptions& options);

std::shared_ptr<grpc::Channel> Connect(int port);

// Returns "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN" or the RPC error.
std::string HealthStatus(const std::shared_ptr<grpc::Channel>& channel, const std::string& service);

// GET http://127.0.0.1:port/path; returns the whole response (headers and body) or "".
std::string HttpGet(int port, const std::string& path);

// The value of a sample line `name{labels} value` (labels exactly as printed), or -1.
double MetricValue(const std::string& exposition, const std::string& series);

// Polls `scrape` (an exposition) until `series` reaches at least `min_value` (or, with
// exact, equals it) or 10 s pass; returns the last value. Stream counters move in OnDone,
// just after the client has seen the final status.
double WaitForMetric(const std::function<std::string()>& scrape, const std::string& series,
                     double value, bool exact = false);

// Decodes a FrameResult's mask (PNG or RLE).
cv::Mat DecodeMask(const v1::Mask& mask);

// Returns a free TCP port on 127.0.0.1 (bound and released).
int FreePort();

}  // namespace botm::server::testing

#endif  // BOTM_TESTS_SERVER_TEST_UTIL_H_
