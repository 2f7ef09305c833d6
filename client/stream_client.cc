#include "client/stream_client.h"

#include <chrono>
#include <deque>
#include <memory>
#include <thread>

#include <grpcpp/client_context.h>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "client/channel.h"
#include "core/image/image_codec.h"

namespace botm::client {
namespace {

using Clock = std::chrono::steady_clock;
using Stream = grpc::ClientReaderWriterInterface<botm::v1::SegmentStreamRequest,
                                                 botm::v1::SegmentStreamResponse>;

// State shared by the writer thread and the reading thread of one stream.
class StreamRun {
 public:
  StreamRun(const StreamOptions& options, Stream* stream, grpc::ClientContext* context)
      : options_(options), stream_(stream), context_(context) {}

  // Writer thread: config, frames within the window and pacing, then WritesDone.
  void WriteAll(const FrameProducer& producer) {
    botm::v1::SegmentStreamRequest request;
    *request.mutable_config() = options_.config;
    if (!stream_->Write(request)) return;
    const Clock::time_point start = Clock::now();
    for (int64_t index = 0;; ++index) {
      if (!WaitForWindow()) return;
      if (options_.send_rate_fps > 0) {
        std::this_thread::sleep_until(start + std::chrono::microseconds(static_cast<int64_t>(
                                                  index * 1e6 / options_.send_rate_fps)));
      }
      request.Clear();
      botm::v1::Frame* frame = request.mutable_frame();
      absl::StatusOr<bool> more = producer(frame);
      if (!more.ok()) {
        SetProducerError(more.status());
        context_->TryCancel();
        return;
      }
      if (!*more) break;
      frame->set_index(static_cast<uint64_t>(index));
      {
        absl::MutexLock lock(&mu_);
        send_times_.push_back(Clock::now());
        ++sent_;
      }
      if (!stream_->Write(request)) return;
    }
    stream_->WritesDone();
  }

  // Reading thread: returns the latency of the oldest unanswered frame and frees its slot.
  double OnResult() {
    const Clock::time_point now = Clock::now();
    absl::MutexLock lock(&mu_);
    ++received_;
    if (send_times_.empty()) return 0;  // a result for a frame not sent: the server's error
    const double ms = std::chrono::duration<double, std::milli>(now - send_times_.front()).count();
    send_times_.pop_front();
    return ms;
  }

  void MarkReaderDone() {
    absl::MutexLock lock(&mu_);
    reader_done_ = true;
  }

  int64_t sent() {
    absl::MutexLock lock(&mu_);
    return sent_;
  }

  absl::Status producer_error() {
    absl::MutexLock lock(&mu_);
    return producer_error_;
  }

 private:
  bool WaitForWindow() {
    absl::MutexLock lock(&mu_);
    auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return reader_done_ || sent_ - received_ < options_.max_in_flight_frames;
    };
    mu_.Await(absl::Condition(&ready));
    return !reader_done_;
  }

  void SetProducerError(absl::Status status) {
    absl::MutexLock lock(&mu_);
    producer_error_ = std::move(status);
  }

  const StreamOptions& options_;
  Stream* stream_;
  grpc::ClientContext* context_;
  absl::Mutex mu_;
  std::deque<Clock::time_point> send_times_ ABSL_GUARDED_BY(mu_);
  int64_t sent_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t received_ ABSL_GUARDED_BY(mu_) = 0;
  bool reader_done_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status producer_error_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

absl::Status FillFrame(const cv::Mat& image, WireEncoding encoding, botm::v1::Frame* frame) {
  if (image.empty()) return absl::InvalidArgumentError("empty image");
  if (encoding == WireEncoding::kPng) {
    absl::StatusOr<std::string> png = botm::image::EncodePng(image);
    if (!png.ok()) return png.status();
    frame->set_encoded(*std::move(png));
    return absl::OkStatus();
  }
  const int depth = image.depth();
  if ((depth != CV_8U && depth != CV_16U) ||
      (image.channels() != 1 && image.channels() != 3 && image.channels() != 4)) {
    return absl::InvalidArgumentError(
        absl::StrCat("unsupported image type ", image.type(), " for raw frames"));
  }
  const cv::Mat packed = image.isContinuous() ? image : image.clone();
  botm::v1::RawImage* raw = frame->mutable_raw();
  raw->set_width(static_cast<uint32_t>(packed.cols));
  raw->set_height(static_cast<uint32_t>(packed.rows));
  raw->set_channels(static_cast<uint32_t>(packed.channels()));
  raw->set_bits_per_sample(depth == CV_8U ? 8 : 16);
  raw->set_data(packed.data, packed.total() * packed.elemSize());
  return absl::OkStatus();
}

absl::StatusOr<StreamOutcome> RunStream(botm::v1::SegmentationService::StubInterface* stub,
                                        const StreamOptions& options, const FrameProducer& producer,
                                        const ResultCallback& on_result) {
  if (options.max_in_flight_frames < 1) {
    return absl::InvalidArgumentError("max_in_flight_frames must be >= 1");
  }
  if (options.config.pairing() == botm::v1::PAIRING_MODE_NEXT && options.max_in_flight_frames < 2) {
    // The server holds frame t until t+1 arrives: a window of one would never move.
    return absl::InvalidArgumentError("pairing next needs max_in_flight_frames >= 2");
  }
  grpc::ClientContext context;
  if (options.deadline_ms > 0) {
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::milliseconds(options.deadline_ms));
  }
  const Clock::time_point start = Clock::now();
  std::unique_ptr<Stream> stream = stub->SegmentStream(&context);
  StreamRun run(options, stream.get(), &context);
  std::thread writer([&run, &producer] { run.WriteAll(producer); });

  StreamOutcome outcome;
  botm::v1::SegmentStreamResponse response;
  while (stream->Read(&response)) {
    if (response.has_result()) {
      const double latency_ms = run.OnResult();
      ++outcome.results_received;
      if (on_result) on_result(response.result(), latency_ms);
      if (options.keep_results) outcome.results.push_back(std::move(*response.mutable_result()));
    } else if (response.has_summary()) {
      outcome.has_summary = true;
      outcome.summary = std::move(*response.mutable_summary());
    }
  }
  run.MarkReaderDone();
  writer.join();
  const grpc::Status status = stream->Finish();
  outcome.frames_sent = run.sent();
  outcome.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (absl::Status error = run.producer_error(); !error.ok()) return error;
  if (!status.ok()) {
    absl::Status failed = FromGrpcStatus(status, "SegmentStream");
    AttachRetryAfter(context, &failed);
    return failed;
  }
  return outcome;
}

}  // namespace botm::client
