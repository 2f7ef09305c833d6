// libFuzzer target: what the server does with request bytes before the model: parsing as each
// request message it reads (SegmentStreamRequest, SegmentClipRequest, GetModelInfoRequest),
// config validation (Session::Create), frame order and limits (AcceptFrameIndex,
// CheckFrameHeader), the conversion of the resulting statuses to gRPC statuses with details,
// and the escaping of client strings for logs (LogSafe).
//
// Invariants: every error is one of the codes the API documents for requests; a status with
// details serializes a google.rpc.Status that parses back with the same code; LogSafe output is
// printable ASCII and bounded.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/common/classes.h"
#include "google/rpc/status.pb.h"
#include "server/frame_codec.h"
#include "server/logging.h"
#include "server/session.h"
#include "server/status_util.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

botm::ModelInfo Model() {
  botm::ModelInfo m;
  m.name = "botm";
  m.version = "fuzz";
  m.class_names.assign(botm::kClassNames.begin(), botm::kClassNames.end());
  return m;
}

// LogSafe output: printable ASCII, at most 4 bytes per kept input byte plus the summary.
void CheckSafe(absl::string_view text) {
  const std::string safe = botm::server::LogSafe(text);
  Check(safe.size() <= 4 * botm::server::kLogSafeMaxBytes + 32);
  for (char ch : safe) Check(ch >= 0x20 && ch < 0x7f);
}

void CheckStatus(const absl::Status& s) {
  using absl::StatusCode;
  const StatusCode c = s.code();
  Check(c == StatusCode::kOk || c == StatusCode::kInvalidArgument ||
        c == StatusCode::kFailedPrecondition || c == StatusCode::kResourceExhausted ||
        c == StatusCode::kOutOfRange);
  const grpc::Status g = botm::server::ToGrpcStatus(s);
  if (!g.error_details().empty()) {
    google::rpc::Status details;
    Check(details.ParseFromString(g.error_details()));
    Check(details.code() == static_cast<int>(g.error_code()));
  }
  CheckSafe(s.message());
}

using Frames = google::protobuf::RepeatedPtrField<botm::v1::Frame>;

void Validate(const botm::v1::StreamConfig& config, const Frames& frames) {
  botm::server::SessionOptions options;
  options.max_frames_per_clip = 8;
  auto session = botm::server::Session::Create(config, Model(), options);
  CheckStatus(session.status());
  if (!session.ok()) return;
  (void)(*session)->engine_options();
  const botm::server::FrameLimits limits{1 << 20, 8 << 20};
  for (int i = 0; i < frames.size() && i < 16; ++i) {
    CheckStatus((*session)->AcceptFrameIndex(frames[i].index()));
    CheckStatus(botm::server::CheckFrameHeader(frames[i], limits).status());
  }
  CheckSafe(config.view());
  CheckSafe(config.client_tag());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto* bytes = reinterpret_cast<const char*>(data);
  const int n = static_cast<int>(size);
  botm::v1::SegmentStreamRequest stream;
  if (stream.ParseFromArray(bytes, n)) {
    if (stream.has_config()) Validate(stream.config(), Frames());
    if (stream.has_frame()) {
      Frames one;
      *one.Add() = stream.frame();
      Validate(botm::v1::StreamConfig(), one);
    }
  }
  botm::v1::SegmentClipRequest clip;
  if (clip.ParseFromArray(bytes, n)) {
    Validate(clip.config(), clip.frames());
  }
  botm::v1::GetModelInfoRequest info;
  (void)info.ParseFromArray(bytes, n);
  return 0;
}
