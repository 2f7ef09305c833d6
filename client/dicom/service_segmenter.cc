#include "client/dicom/service_segmenter.h"

#include "absl/strings/str_cat.h"
#include "botm/v1/segmentation.grpc.pb.h"
#include "client/stream_client.h"
#include "core/image/mask_codec.h"

namespace botm::dicom {
namespace {

botm::v1::StreamConfig MakeConfig(const UltrasoundClip& clip, const ServiceOptions& options) {
  botm::v1::StreamConfig config;
  config.set_pixel_spacing_mm_x(clip.calibration.spacing_mm_x);
  config.set_pixel_spacing_mm_y(clip.calibration.spacing_mm_y);
  config.set_mask_encoding(botm::v1::MASK_ENCODING_RLE);
  config.set_cleanup(options.cleanup);
  config.set_frame_rate_hz(clip.frame_rate_hz);
  config.set_client_tag(options.client_tag);
  return config;
}

// Applies one result to `out`: the mask pasted at the region, the areas, the timing.
absl::Status ApplyResult(const botm::v1::FrameResult& r, const UltrasoundClip& clip,
                         ClipSegmentation* out) {
  const size_t i = r.index();
  if (i >= clip.frames.size()) return absl::InternalError("result for a frame not sent");
  if (r.has_error() && r.error().code() != 0) {
    return absl::Status(static_cast<absl::StatusCode>(r.error().code()),
                        absl::StrCat("frame ", i + 1, ": ", r.error().message()));
  }
  if (r.dropped()) return absl::AbortedError(absl::StrCat("frame ", i + 1, " was dropped"));
  const botm::v1::Mask& mask = r.mask();
  absl::StatusOr<cv::Mat> labels =
      mask.encoding() == botm::v1::MASK_ENCODING_PNG
          ? image::DecodeMaskPng(mask.data())
          : image::DecodeRle(mask.data(), static_cast<int>(mask.width()),
                             static_cast<int>(mask.height()));
  if (!labels.ok()) return labels.status();
  if (labels->cols != clip.region.width || labels->rows != clip.region.height) {
    return absl::InternalError("mask size differs from the frame sent");
  }
  cv::Mat full = cv::Mat::zeros(clip.rows, clip.columns, CV_8UC1);
  labels->copyTo(full(clip.region));
  out->labels[i] = full;
  for (const botm::v1::ClassResult& c : r.classes()) {
    if (c.label() > 3) continue;
    out->area_px[i][c.label()] = static_cast<double>(c.area_px());
    out->area_mm2[i][c.label()] = c.area_mm2();
  }
  out->uncertainty[i] = r.uncertainty();
  out->model_ms += r.timing().inference_ms();
  if (out->model.name.empty()) {
    out->model = {r.model().name(), r.model().version(), r.model().weights_sha256()};
  }
  return absl::OkStatus();
}

// The service's EF pairs the first ED with the first ES after it, else the last ES before it
// (server/session.cc); the report names the same two frames.
void ApplySummary(const botm::v1::ClipSummary& s, ClipSegmentation* out) {
  for (uint64_t f : s.ed_frames()) out->ed_frames.push_back(static_cast<int>(f));
  for (uint64_t f : s.es_frames()) out->es_frames.push_back(static_cast<int>(f));
  out->has_ejection_fraction = s.has_ejection_fraction();
  out->ejection_fraction_pct = s.ejection_fraction_pct();
  out->partner_offset = static_cast<int>(s.partner_offset());
  if (!s.model().name().empty()) {
    out->model = {s.model().name(), s.model().version(), s.model().weights_sha256()};
  }
  if (out->ed_frames.empty() || out->es_frames.empty()) return;
  out->ef_ed_frame = out->ed_frames.front();
  for (int f : out->es_frames) {
    if (f > out->ef_ed_frame) {
      out->ef_es_frame = f;
      return;
    }
  }
  out->ef_es_frame = out->es_frames.back();
}

}  // namespace

absl::StatusOr<ClipSegmentation> SegmentThroughService(
    const std::shared_ptr<grpc::Channel>& channel, const UltrasoundClip& clip,
    const ServiceOptions& options) {
  const size_t n = clip.frames.size();
  ClipSegmentation out;
  out.labels.resize(n);
  out.area_px.assign(n, {});
  out.area_mm2.assign(n, {});
  out.uncertainty.assign(n, 0.f);
  out.calibrated = clip.calibration.known();

  client::StreamOptions stream;
  stream.config = MakeConfig(clip, options);
  stream.max_in_flight_frames = std::max(2, options.max_in_flight_frames);
  stream.deadline_ms = options.deadline_ms;
  stream.keep_results = false;
  size_t next = 0;
  const client::FrameProducer producer = [&](botm::v1::Frame* frame) -> absl::StatusOr<bool> {
    if (next >= n) return false;
    frame->set_timestamp_us(clip.timestamps_us[next]);
    const absl::Status s =
        client::FillFrame(clip.frames[next](clip.region), client::WireEncoding::kRaw, frame);
    ++next;
    if (!s.ok()) return s;
    return true;
  };
  absl::Status result_error;
  const client::ResultCallback on_result = [&](const botm::v1::FrameResult& r, double) {
    if (result_error.ok()) result_error = ApplyResult(r, clip, &out);
  };
  std::unique_ptr<botm::v1::SegmentationService::Stub> stub =
      botm::v1::SegmentationService::NewStub(channel);
  absl::StatusOr<client::StreamOutcome> outcome =
      client::RunStream(stub.get(), stream, producer, on_result);
  if (!outcome.ok()) return outcome.status();
  if (!result_error.ok()) return result_error;
  if (outcome->results_received != static_cast<int64_t>(n)) {
    return absl::InternalError(
        absl::StrCat(outcome->results_received, " results for ", n, " frames"));
  }
  if (outcome->has_summary) ApplySummary(outcome->summary, &out);
  out.service_ms = outcome->wall_seconds * 1000.0;
  return out;
}

}  // namespace botm::dicom
