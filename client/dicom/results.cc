#include "client/dicom/results.h"

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "client/dicom/seg_writer.h"
#include "client/dicom/sr_writer.h"

namespace botm::dicom {
namespace {

nlohmann::json ObjectJson(const DerivedObject& o) {
  return {{"file", std::filesystem::path(o.path).filename().string()},
          {"sop_class_uid", o.sop_class_uid},
          {"sop_instance_uid", o.sop_instance_uid},
          {"series_instance_uid", o.series_instance_uid}};
}

nlohmann::json FramesJson(const UltrasoundClip& clip, const ClipSegmentation& r) {
  static const char* kNames[] = {"background", "lv_cavity", "lv_myocardium", "left_atrium"};
  nlohmann::json frames = nlohmann::json::array();
  for (size_t i = 0; i < r.area_px.size(); ++i) {
    nlohmann::json f = {{"frame", i + 1},
                        {"timestamp_us", clip.timestamps_us[i]},
                        {"uncertainty", r.uncertainty[i]}};
    for (int c = 1; c < 4; ++c) {
      f["area_px"][kNames[c]] = r.area_px[i][c];
      if (r.calibrated) f["area_mm2"][kNames[c]] = r.area_mm2[i][c];
    }
    frames.push_back(f);
  }
  return frames;
}

}  // namespace

std::vector<std::string> ResultSet::dicom_files() const {
  std::vector<std::string> files = {seg.path};
  if (sr.has_value()) files.push_back(sr->path);
  return files;
}

nlohmann::json SummaryJson(const UltrasoundClip& clip, const ClipSegmentation& r,
                           const ResultSet& outputs) {
  nlohmann::json j;
  j["notice"] = kResearchUseOnly;
  j["model"] = {{"name", r.model.name},
                {"version", r.model.version},
                {"weights_sha256", r.model.weights_sha256}};
  j["source"] = {
      {"sop_class_uid", clip.source.sop_class_uid},
      {"sop_instance_uid", clip.source.sop_instance_uid},
      {"study_instance_uid", clip.source.study_instance_uid},
      {"series_instance_uid", clip.source.series_instance_uid},
      {"transfer_syntax_uid", clip.source.transfer_syntax_uid},
      {"photometric_interpretation", clip.source.photometric},
      {"rows", clip.rows},
      {"columns", clip.columns},
      {"frames", clip.frames.size()},
      {"frame_rate_hz", clip.frame_rate_hz},
      {"timing_source", clip.timing_source},
      {"tissue_region", {clip.region.x, clip.region.y, clip.region.width, clip.region.height}},
      {"has_region", clip.has_region}};
  if (clip.calibration.known()) {
    j["source"]["pixel_spacing_mm"] = {clip.calibration.spacing_mm_x,
                                       clip.calibration.spacing_mm_y};
  }
  j["ed_frames"] = nlohmann::json::array();
  for (int f : r.ed_frames) j["ed_frames"].push_back(f + 1);
  j["es_frames"] = nlohmann::json::array();
  for (int f : r.es_frames) j["es_frames"].push_back(f + 1);
  if (r.has_ejection_fraction) {
    j["ejection_fraction"] = {{"percent", r.ejection_fraction_pct},
                              {"method", "single-plane area-length"},
                              {"ed_frame", r.ef_ed_frame + 1},
                              {"es_frame", r.ef_es_frame + 1}};
  }
  // The live partner the service used (frame t with t-K), K from the clip's frame rate and the
  // model's partner interval when the rate is known; null when the service did not say.
  j["partner"] = {
      {"offset_frames",
       r.partner_offset > 0 ? nlohmann::json(r.partner_offset) : nlohmann::json(nullptr)},
      {"interval_ms", r.partner_offset > 0 && clip.frame_rate_hz > 0
                          ? nlohmann::json(r.partner_offset * 1000.0 / clip.frame_rate_hz)
                          : nlohmann::json(nullptr)}};
  j["frames"] = FramesJson(clip, r);
  j["timing_ms"] = {{"service", r.service_ms}, {"model", r.model_ms}};
  j["outputs"]["seg"] = ObjectJson(outputs.seg);
  if (outputs.sr.has_value()) {
    j["outputs"]["sr"] = ObjectJson(*outputs.sr);
  } else {
    j["outputs"]["sr_skipped"] = outputs.sr_skipped_reason;
  }
  return j;
}

absl::StatusOr<ResultSet> WriteResults(const UltrasoundClip& clip, const ClipSegmentation& result,
                                       const CreatorInfo& creator, const std::string& dir) {
  ResultSet out;
  absl::StatusOr<DerivedObject> seg =
      WriteSegmentation(clip, result.labels, result.model, creator, dir + "/" + kSegFile);
  if (!seg.ok()) return seg.status();
  out.seg = *seg;
  if (CanWriteMeasurementReport(result)) {
    absl::StatusOr<DerivedObject> sr =
        WriteMeasurementReport(clip, result, creator, dir + "/" + kSrFile);
    if (!sr.ok()) return sr.status();
    out.sr = *sr;
  } else {
    out.sr_skipped_reason =
        result.calibrated ? "no end-diastole/end-systole pair found in the clip"
                          : "the source has no mm calibration (Sequence of Ultrasound Regions)";
  }
  out.summary_path = dir + "/" + kSummaryFile;
  std::ofstream json(out.summary_path);
  json << SummaryJson(clip, result, out).dump(2) << "\n";
  if (!json) return absl::InternalError(absl::StrCat("cannot write ", out.summary_path));
  return out;
}

absl::StatusOr<std::vector<std::string>> ResultFilesIn(const std::string& dir) {
  const std::string seg = dir + "/" + kSegFile;
  if (!std::filesystem::exists(seg)) return absl::NotFoundError(absl::StrCat("no ", seg));
  std::vector<std::string> files = {seg};
  if (std::filesystem::exists(dir + "/" + kSrFile)) files.push_back(dir + "/" + kSrFile);
  return files;
}

}  // namespace botm::dicom
