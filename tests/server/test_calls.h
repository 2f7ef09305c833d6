// More helpers of the server tests: raw (unparsed) calls with a generic stub, a Segmenter
// wrapper that holds the model worker on a gate (fault injection), and a capture of the
// server's formatted log lines.
#ifndef BOTM_TESTS_SERVER_TEST_CALLS_H_
#define BOTM_TESTS_SERVER_TEST_CALLS_H_

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "core/model/segmenter.h"

namespace botm::server::testing {

struct RawCallResult {
  grpc::Status status;
  std::vector<std::string> responses;  // serialized response messages, in order
};

// Runs a bidirectional-streaming call of `method` ("/pkg.Service/Method") that writes
// `requests` as they are (any bytes), half-closes and reads every response.
RawCallResult RawStreamCall(const std::shared_ptr<grpc::Channel>& channel,
                            const std::string& method, const std::vector<std::string>& requests,
                            absl::Duration timeout = absl::Seconds(60));

// Runs a unary call of `method` with `request` as it is (any bytes).
RawCallResult RawUnaryCall(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                           const std::string& request, absl::Duration timeout = absl::Seconds(60));

// Forwards to `inner`; while `gate` is not notified, Encode() blocks (the model worker is then
// held). Counts the Encode() calls that entered.
class GatedSegmenter : public Segmenter {
 public:
  explicit GatedSegmenter(std::shared_ptr<Segmenter> inner) : inner_(std::move(inner)) {}
  const ModelInfo& info() const override { return inner_->info(); }
  absl::StatusOr<std::vector<EncodedFramePtr>> Encode(absl::Span<const cv::Mat> images) override;
  absl::StatusOr<std::vector<FrameOutput>> Decode(
      absl::Span<const DecodeRequest> requests) override {
    return inner_->Decode(requests);
  }
  absl::Notification& gate() { return gate_; }
  int encode_calls() const { return encode_calls_.load(); }

 private:
  std::shared_ptr<Segmenter> inner_;
  absl::Notification gate_;
  std::atomic<int> encode_calls_{0};
};

// Records the lines the default spdlog logger formats (with its current pattern) while alive.
// The recording sink is installed in the default logger once per process, before any thread
// logs, so that tests never change a logger's sinks while servers run.
class LogCapture {
 public:
  LogCapture();
  ~LogCapture();
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;
  // The lines recorded so far (without their line ends).
  std::vector<std::string> Lines() const;
  // Whether some recorded line contains `text`.
  bool Contains(const std::string& text) const;
  // Waits until some recorded line contains `text` (true) or `timeout` passes (false). Lines of
  // a call's end are written in OnDone, just after the client has seen its status.
  bool WaitFor(const std::string& text, absl::Duration timeout = absl::Seconds(10)) const;
};

}  // namespace botm::server::testing

#endif  // BOTM_TESTS_SERVER_TEST_CALLS_H_
