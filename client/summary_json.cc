// summary.json of `botm-client stream` (declared in stream_outputs.h).
#include <string>

#include "botm/v1/segmentation.pb.h"
#include "client/latency_stats.h"
#include "client/stream_outputs.h"

namespace botm::client {
namespace {

using nlohmann::json;

json ModelJson(const botm::v1::ModelIdentity& model) {
  return {{"name", model.name()},
          {"version", model.version()},
          {"weights_sha256", model.weights_sha256()}};
}

json TimingJson(const botm::v1::Timing& timing) {
  return {{"decode_ms", timing.decode_ms()},       {"queue_ms", timing.queue_ms()},
          {"inference_ms", timing.inference_ms()}, {"encode_ms", timing.encode_ms()},
          {"total_ms", timing.total_ms()},         {"batch_size", timing.batch_size()}};
}

json FrameJson(const botm::v1::FrameResult& result, double latency_ms) {
  json frame = {{"index", result.index()},
                {"timestamp_us", result.timestamp_us()},
                {"client_latency_ms", latency_ms}};
  if (result.dropped()) frame["dropped"] = true;
  if (result.has_error()) {
    frame["error"] = {{"code", result.error().code()}, {"message", result.error().message()}};
    return frame;
  }
  json areas = json::object();
  for (const botm::v1::ClassResult& c : result.classes()) {
    const std::string name = c.name().empty() ? std::to_string(c.label()) : c.name();
    areas[name] = {{"label", c.label()}, {"area_px", c.area_px()}, {"area_mm2", c.area_mm2()}};
  }
  frame["areas"] = areas;
  frame["uncertainty"] = result.uncertainty();
  if (result.phase() != botm::v1::CARDIAC_PHASE_UNSPECIFIED) {
    frame["phase"] = botm::v1::CardiacPhase_Name(result.phase());
    frame["phase_frame_index"] = result.phase_frame_index();
  }
  frame["timing"] = TimingJson(result.timing());
  return frame;
}

json ClipJson(const botm::v1::ClipSummary& s) {
  json clip = {
      {"frames_received", s.frames_received()},
      {"frames_segmented", s.frames_segmented()},
      {"frames_failed", s.frames_failed()},
      {"frames_dropped", s.frames_dropped()},
      {"ed_frames", json(std::vector<uint64_t>(s.ed_frames().begin(), s.ed_frames().end()))},
      {"es_frames", json(std::vector<uint64_t>(s.es_frames().begin(), s.es_frames().end()))},
      {"lv_area_px", json(std::vector<double>(s.lv_area_px().begin(), s.lv_area_px().end()))},
      {"lv_area_mm2", json(std::vector<double>(s.lv_area_mm2().begin(), s.lv_area_mm2().end()))},
      {"partner_offset", s.partner_offset()}};
  clip["ejection_fraction_pct"] =
      s.has_ejection_fraction() ? json(s.ejection_fraction_pct()) : json(nullptr);
  return clip;
}

json LatencyJson(const std::vector<double>& latency_ms) {
  const LatencySummary l = Summarize(latency_ms);
  return {{"count", l.count},   {"mean_ms", l.mean_ms}, {"p50_ms", l.p50_ms},
          {"p90_ms", l.p90_ms}, {"p99_ms", l.p99_ms},   {"max_ms", l.max_ms}};
}

}  // namespace

json BuildSummaryJson(const StreamOutcome& outcome, const RunContext& context) {
  json frames = json::array();
  json errors = json::array();
  for (size_t i = 0; i < outcome.results.size(); ++i) {
    const botm::v1::FrameResult& result = outcome.results[i];
    const double latency = i < context.latency_ms.size() ? context.latency_ms[i] : 0.0;
    frames.push_back(FrameJson(result, latency));
    if (result.has_error()) {
      errors.push_back({{"index", result.index()},
                        {"code", result.error().code()},
                        {"message", result.error().message()}});
    }
  }
  botm::v1::ModelIdentity model = outcome.summary.model();
  if (model.weights_sha256().empty() && !outcome.results.empty()) {
    model = outcome.results.front().model();
  }
  const double fps = outcome.wall_seconds > 0
                         ? static_cast<double>(outcome.results_received) / outcome.wall_seconds
                         : 0.0;
  return {{"server", context.server_address},
          {"input", context.input},
          {"source",
           {{"description", context.source.description},
            {"fps", context.source.fps},
            {"spacing_mm_x", context.config.pixel_spacing_mm_x()},
            {"spacing_mm_y", context.config.pixel_spacing_mm_y()}}},
          {"config",
           {{"pairing", botm::v1::PairingMode_Name(context.config.pairing())},
            {"mask_encoding", botm::v1::MaskEncoding_Name(context.config.mask_encoding())},
            {"contours", context.config.return_contours()},
            {"cleanup", context.config.cleanup()}}},
          {"model", ModelJson(model)},
          {"clip", outcome.has_summary ? ClipJson(outcome.summary) : json(nullptr)},
          {"client",
           {{"frames_sent", outcome.frames_sent},
            {"results_received", outcome.results_received},
            {"wall_seconds", outcome.wall_seconds},
            {"throughput_fps", fps},
            {"latency", LatencyJson(context.latency_ms)}}},
          {"errors", errors},
          {"frames", frames}};
}

}  // namespace botm::client
