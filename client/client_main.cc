// botm-client: stream a clip to botm-server and write masks, overlays and a summary; check
// health; print the model info.
//
//   botm-client stream --server ADDR --input SRC --out DIR [--spacing_mm X]
//       [--pairing previous|next] [--mask_encoding png|rle] [--contours] [--cleanup]
//   botm-client health --server ADDR [--service NAME]
//   botm-client info --server ADDR
//
// Exit codes: 0 success (health: SERVING); 1 failure (connection, input, server error);
// 2 stream completed but some frames failed (outputs are still written); 64 usage error.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "client/channel.h"
#include "client/frame_source.h"
#include "client/service_calls.h"
#include "client/stream_client.h"
#include "client/stream_outputs.h"
#include "core/common/flags.h"
#include "core/common/progress_bar.h"
#include "core/model/model_card.h"
#include "core/model/segmenter.h"

ABSL_FLAG(std::string, server, "127.0.0.1:50051", "Server address host:port");
ABSL_FLAG(std::string, tls_ca, "", "PEM CA certificate: use TLS when set");
ABSL_FLAG(std::string, tls_cert, "", "PEM client certificate (mutual TLS)");
ABSL_FLAG(std::string, tls_key, "", "PEM client key (mutual TLS)");
ABSL_FLAG(int64_t, connect_timeout_ms, 5000, "Wait for the connection, milliseconds");
ABSL_FLAG(int64_t, timeout_ms, 5000, "Deadline of health/info calls, milliseconds");
ABSL_FLAG(std::string, service, "", "Health: service name (empty = whole server)");
ABSL_FLAG(std::string, input, "", "Folder of images, video file, or synthetic:SEED[:FRAMES]");
ABSL_FLAG(std::string, out, "", "Output folder");
ABSL_FLAG(double, spacing_mm, 0, "Pixel spacing in mm (0 = from the input when it knows)");
ABSL_FLAG(botm::Segmenter::Pairing, pairing, botm::Segmenter::Pairing::kPrevious,
          "previous (live) or next (clip)");
ABSL_FLAG(int, partner_offset, 0,
          "previous pairing: frame t with t-K (0 = the model's default, 1..64)");
ABSL_FLAG(int, partner_interval_ms, 0,
          "previous pairing: the partner in time, the frame this many ms earlier (K = round(ms "
          "x fps / 1000); needs the input's frame rate; 0 = the model's default, 1..2000; "
          "exclusive with --partner_offset)");
ABSL_FLAG(std::string, mask_encoding, "png", "png or rle");
ABSL_FLAG(std::string, frame_encoding, "png", "Frames on the wire: png or raw");
ABSL_FLAG(bool, contours, false, "Ask for per-class contours");
ABSL_FLAG(bool, cleanup, false, "Ask for largest-component cleanup");
ABSL_FLAG(std::string, view, "", "View label (A4C, A2C), informational");
ABSL_FLAG(int, synthetic_size, 128, "Frame side of synthetic inputs, pixels");
ABSL_FLAG(int, max_in_flight, 8, "Frames sent but not answered");
ABSL_FLAG(int64_t, deadline_ms, 0, "Deadline of the whole stream, ms (0 = none)");
ABSL_FLAG(bool, progress, true, "Show a progress bar");

namespace botm::client {
namespace {

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "botm-client: error: %s\n", status.ToString().c_str());
  return 1;
}

ChannelOptions ChannelFlags() {
  ChannelOptions options;
  options.address = absl::GetFlag(FLAGS_server);
  options.tls_ca_path = absl::GetFlag(FLAGS_tls_ca);
  options.tls_cert_path = absl::GetFlag(FLAGS_tls_cert);
  options.tls_key_path = absl::GetFlag(FLAGS_tls_key);
  options.connect_timeout_ms = absl::GetFlag(FLAGS_connect_timeout_ms);
  return options;
}

absl::StatusOr<botm::v1::StreamConfig> ConfigFlags(const SourceInfo& source) {
  botm::v1::StreamConfig config;
  const std::string masks = absl::GetFlag(FLAGS_mask_encoding);
  if (masks != "png" && masks != "rle") {
    return absl::InvalidArgumentError(
        absl::StrCat("--mask_encoding must be png or rle, not '", masks, "'"));
  }
  config.set_pairing(absl::GetFlag(FLAGS_pairing) == botm::Segmenter::Pairing::kNext
                         ? botm::v1::PAIRING_MODE_NEXT
                         : botm::v1::PAIRING_MODE_PREVIOUS);
  const int offset = absl::GetFlag(FLAGS_partner_offset);
  if (offset < 0 || offset > botm::kMaxPartnerOffset) {
    return absl::InvalidArgumentError(absl::StrCat("--partner_offset must be in [0, ",
                                                   botm::kMaxPartnerOffset,
                                                   "] (0 = the model's default), not ", offset));
  }
  config.set_partner_offset(static_cast<uint32_t>(offset));
  const int interval_ms = absl::GetFlag(FLAGS_partner_interval_ms);
  if (interval_ms < 0 || interval_ms > botm::kMaxPartnerIntervalMs) {
    return absl::InvalidArgumentError(
        absl::StrCat("--partner_interval_ms must be in [0, ", botm::kMaxPartnerIntervalMs,
                     "] (0 = the model's default), not ", interval_ms));
  }
  if (interval_ms > 0 && offset > 0) {
    return absl::InvalidArgumentError(
        "give --partner_offset (frames) or --partner_interval_ms (time), not both");
  }
  if (interval_ms > 0 && !(source.fps > 0)) {
    return absl::InvalidArgumentError(
        "--partner_interval_ms needs the input's frame rate, and this input does not give one");
  }
  config.set_partner_interval_ms(static_cast<uint32_t>(interval_ms));
  config.set_mask_encoding(masks == "rle" ? botm::v1::MASK_ENCODING_RLE
                                          : botm::v1::MASK_ENCODING_PNG);
  const double spacing = absl::GetFlag(FLAGS_spacing_mm);
  config.set_pixel_spacing_mm_x(spacing > 0 ? spacing : source.spacing_mm_x);
  config.set_pixel_spacing_mm_y(spacing > 0 ? spacing : source.spacing_mm_y);
  config.set_return_contours(absl::GetFlag(FLAGS_contours));
  config.set_cleanup(absl::GetFlag(FLAGS_cleanup));
  config.set_frame_rate_hz(source.fps);
  config.set_view(absl::GetFlag(FLAGS_view));
  config.set_client_tag("botm-client");
  return config;
}

int CountFailed(const StreamOutcome& outcome) {
  int failed = 0;
  for (const botm::v1::FrameResult& r : outcome.results) failed += r.has_error() ? 1 : 0;
  return failed;
}

// Returns a producer that pulls frames from `source`, keeps each image in `images` (for the
// overlays) and puts it on the wire in `wire` encoding.
FrameProducer SourceProducer(FrameSource* source, WireEncoding wire, std::vector<cv::Mat>* images) {
  return [source, wire, images](botm::v1::Frame* frame) -> absl::StatusOr<bool> {
    absl::StatusOr<std::optional<SourceFrame>> next = source->Next();
    if (!next.ok()) return next.status();
    if (!next->has_value()) return false;
    images->push_back((*next)->image);
    frame->set_timestamp_us((*next)->timestamp_us);
    if (absl::Status s = FillFrame((*next)->image, wire, frame); !s.ok()) return s;
    return true;
  };
}

// Streams the source with a progress bar; fills context->latency_ms.
absl::StatusOr<StreamOutcome> StreamWithProgress(const std::shared_ptr<grpc::Channel>& channel,
                                                 const StreamOptions& options,
                                                 const FrameProducer& producer,
                                                 RunContext* context) {
  ProgressBar::Options bar_options;
  bar_options.unit = "frames";
  bar_options.enabled = absl::GetFlag(FLAGS_progress);
  ProgressBar bar("segmenting", std::max<int64_t>(context->source.num_frames, 0), bar_options);
  int64_t done = 0;
  auto on_result = [&](const botm::v1::FrameResult&, double latency_ms) {
    context->latency_ms.push_back(latency_ms);
    bar.Update(++done);
  };
  auto stub = botm::v1::SegmentationService::NewStub(channel);
  absl::StatusOr<StreamOutcome> outcome = RunStream(stub.get(), options, producer, on_result);
  bar.Finish();
  return outcome;
}

void PrintOutcome(const StreamOutcome& outcome, int failed, const std::string& out) {
  std::printf("%lld frames in %.2f s (%.1f frames/s), %d failed\n",
              static_cast<long long>(outcome.results_received), outcome.wall_seconds,
              outcome.wall_seconds > 0 ? outcome.results_received / outcome.wall_seconds : 0.0,
              failed);
  if (outcome.summary.has_ejection_fraction()) {
    std::printf("ejection fraction: %.1f %%\n", outcome.summary.ejection_fraction_pct());
  }
  std::printf(
      "masks:    %s/masks/\noverlay:  %s/overlay.gif, %s/overlay/\n"
      "summary:  %s/summary.json\n",
      out.c_str(), out.c_str(), out.c_str(), out.c_str());
}

int RunStreamCommand() {
  const std::string input = absl::GetFlag(FLAGS_input);
  const std::string out = absl::GetFlag(FLAGS_out);
  if (input.empty() || out.empty()) {
    return Fail(absl::InvalidArgumentError("stream needs --input and --out"));
  }
  const std::string frame_encoding = absl::GetFlag(FLAGS_frame_encoding);
  if (frame_encoding != "png" && frame_encoding != "raw") {
    return Fail(absl::InvalidArgumentError("--frame_encoding must be png or raw"));
  }
  SourceOptions source_options;
  source_options.synthetic_size_px = absl::GetFlag(FLAGS_synthetic_size);
  auto source = OpenFrameSource(input, source_options);
  if (!source.ok()) return Fail(source.status());
  RunContext context;
  context.server_address = absl::GetFlag(FLAGS_server);
  context.input = input;
  context.source = (*source)->info();
  StreamOptions options;
  absl::StatusOr<botm::v1::StreamConfig> config = ConfigFlags(context.source);
  if (!config.ok()) return Fail(config.status());
  options.config = context.config = *config;
  options.max_in_flight_frames = absl::GetFlag(FLAGS_max_in_flight);
  options.deadline_ms = absl::GetFlag(FLAGS_deadline_ms);
  auto channel = Connect(ChannelFlags());
  if (!channel.ok()) return Fail(channel.status());
  std::fprintf(stderr, "streaming %s to %s\n", context.source.description.c_str(),
               context.server_address.c_str());

  std::vector<cv::Mat> images;
  const WireEncoding wire = frame_encoding == "raw" ? WireEncoding::kRaw : WireEncoding::kPng;
  absl::StatusOr<StreamOutcome> outcome =
      StreamWithProgress(*channel, options, SourceProducer(source->get(), wire, &images), &context);
  if (!outcome.ok()) return Fail(outcome.status());
  OutputOptions outputs;
  outputs.out_dir = out;
  if (absl::Status s = WriteStreamOutputs(outputs, images, *outcome, context); !s.ok()) {
    return Fail(s);
  }
  const int failed = CountFailed(*outcome);
  PrintOutcome(*outcome, failed, out);
  return failed > 0 ? 2 : 0;
}

int RunHealthCommand() {
  auto channel = Connect(ChannelFlags());
  if (!channel.ok()) return Fail(channel.status());
  absl::StatusOr<std::string> status =
      CheckHealth(*channel, absl::GetFlag(FLAGS_service), absl::GetFlag(FLAGS_timeout_ms));
  if (!status.ok()) return Fail(status.status());
  std::printf("%s\n", status->c_str());
  return *status == "SERVING" ? 0 : 1;
}

int RunInfoCommand() {
  auto channel = Connect(ChannelFlags());
  if (!channel.ok()) return Fail(channel.status());
  auto info = FetchModelInfo(*channel, absl::GetFlag(FLAGS_timeout_ms));
  if (!info.ok()) return Fail(info.status());
  std::printf("%s\n", ModelInfoToJson(*info).c_str());
  return 0;
}

}  // namespace
}  // namespace botm::client

int main(int argc, char** argv) {
  std::vector<char*> args = botm::ParseFlags(
      argc, argv, __FILE__, "botm-client stream|health|info --server ADDR [flags]; see --help");
  const std::string command = args.size() == 2 ? args[1] : "";
  if (command == "stream") return botm::client::RunStreamCommand();
  if (command == "health") return botm::client::RunHealthCommand();
  if (command == "info") return botm::client::RunInfoCommand();
  std::fprintf(stderr, "usage: %s\n", absl::ProgramUsageMessage().data());
  return 64;
}
