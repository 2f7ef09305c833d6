#include "tests/server/test_calls.h"

#include <mutex>

#include <grpcpp/generic/generic_stub.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace botm::server::testing {
namespace {

std::string ToString(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  for (const auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

grpc::ByteBuffer ToBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

// Waits for the completion of `tag` on `cq`; returns its ok bit.
bool Await(grpc::CompletionQueue* cq, intptr_t tag) {
  void* got = nullptr;
  bool ok = false;
  while (cq->Next(&got, &ok)) {
    if (reinterpret_cast<intptr_t>(got) == tag) return ok;
  }
  return false;
}

void Drain(grpc::CompletionQueue* cq) {
  cq->Shutdown();
  void* tag = nullptr;
  bool ok = false;
  while (cq->Next(&tag, &ok)) {
  }
}

class RecordingSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  void Start() {
    std::lock_guard<std::mutex> l(lines_mu_);
    lines_.clear();
    recording_ = true;
  }
  void Stop() {
    std::lock_guard<std::mutex> l(lines_mu_);
    recording_ = false;
  }
  std::vector<std::string> Lines() {
    std::lock_guard<std::mutex> l(lines_mu_);
    return lines_;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    std::string line(formatted.data(), formatted.size());
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    std::lock_guard<std::mutex> l(lines_mu_);
    if (recording_) lines_.push_back(std::move(line));
  }
  void flush_() override {}

 private:
  std::mutex lines_mu_;
  bool recording_ = false;
  std::vector<std::string> lines_;
};

RecordingSink* Recorder() {
  static RecordingSink* sink = [] {
    auto recorder = std::make_shared<RecordingSink>();
    auto console = std::make_shared<spdlog::sinks::stdout_color_sink_mt>();
    auto logger = std::make_shared<spdlog::logger>("", spdlog::sinks_init_list{console, recorder});
    spdlog::set_default_logger(logger);
    return recorder.get();
  }();
  return sink;
}
// Installed during static initialisation, before any test starts a thread.
[[maybe_unused]] RecordingSink* const kInstalled = Recorder();

}  // namespace

RawCallResult RawStreamCall(const std::shared_ptr<grpc::Channel>& channel,
                            const std::string& method, const std::vector<std::string>& requests,
                            absl::Duration timeout) {
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  RawCallResult result;
  auto call = stub.PrepareCall(&ctx, method, &cq);
  call->StartCall(reinterpret_cast<void*>(1));
  if (Await(&cq, 1)) {
    for (const std::string& r : requests) {
      call->Write(ToBuffer(r), reinterpret_cast<void*>(2));
      if (!Await(&cq, 2)) break;
    }
    call->WritesDone(reinterpret_cast<void*>(3));
    Await(&cq, 3);
    grpc::ByteBuffer response;
    while (true) {
      call->Read(&response, reinterpret_cast<void*>(4));
      if (!Await(&cq, 4)) break;
      result.responses.push_back(ToString(response));
    }
  }
  call->Finish(&result.status, reinterpret_cast<void*>(5));
  Await(&cq, 5);
  Drain(&cq);
  return result;
}

RawCallResult RawUnaryCall(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                           const std::string& request, absl::Duration timeout) {
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  const grpc::ByteBuffer request_buffer = ToBuffer(request);
  auto call = stub.PrepareUnaryCall(&ctx, method, request_buffer, &cq);
  call->StartCall();
  grpc::ByteBuffer response;
  RawCallResult result;
  call->Finish(&response, &result.status, reinterpret_cast<void*>(1));
  Await(&cq, 1);
  if (result.status.ok()) result.responses.push_back(ToString(response));
  Drain(&cq);
  return result;
}

absl::StatusOr<std::vector<EncodedFramePtr>> GatedSegmenter::Encode(
    absl::Span<const cv::Mat> images) {
  ++encode_calls_;
  gate_.WaitForNotification();
  return inner_->Encode(images);
}

LogCapture::LogCapture() { Recorder()->Start(); }
LogCapture::~LogCapture() { Recorder()->Stop(); }

std::vector<std::string> LogCapture::Lines() const { return Recorder()->Lines(); }

bool LogCapture::Contains(const std::string& text) const {
  for (const std::string& line : Lines()) {
    if (line.find(text) != std::string::npos) return true;
  }
  return false;
}

bool LogCapture::WaitFor(const std::string& text, absl::Duration timeout) const {
  const absl::Time deadline = absl::Now() + timeout;
  while (!Contains(text)) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return true;
}

}  // namespace botm::server::testing
