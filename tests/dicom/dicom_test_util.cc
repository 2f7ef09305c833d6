#include "tests/dicom/dicom_test_util.h"

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "tests/client/subprocess.h"

namespace botm::dicom::testing {

std::vector<cv::Mat> FullSizeLabels(const Fixture& fixture, int rows, int columns) {
  std::vector<cv::Mat> out;
  for (const cv::Mat& labels : fixture.sector_labels) {
    cv::Mat full = cv::Mat::zeros(rows, columns, CV_8UC1);
    labels.copyTo(full(fixture.region));
    out.push_back(full);
  }
  return out;
}

ClipSegmentation TruthSegmentation(const Fixture& fixture, const UltrasoundClip& clip,
                                   double ef_pct) {
  ClipSegmentation out;
  out.labels = FullSizeLabels(fixture, clip.rows, clip.columns);
  out.calibrated = clip.calibration.known();
  const double mm2 = clip.calibration.spacing_mm_x * clip.calibration.spacing_mm_y;
  for (const cv::Mat& labels : out.labels) {
    std::array<double, 4> px{}, area{};
    for (int c = 0; c < 4; ++c) {
      px[c] = cv::countNonZero(labels == c);
      area[c] = px[c] * mm2;
    }
    out.area_px.push_back(px);
    out.area_mm2.push_back(area);
    out.uncertainty.push_back(0.1f);
  }
  for (size_t i = 0; i < out.area_px.size(); ++i) {
    if (out.ef_ed_frame < 0 || out.area_px[i][1] > out.area_px[out.ef_ed_frame][1]) {
      out.ef_ed_frame = static_cast<int>(i);
    }
    if (out.ef_es_frame < 0 || out.area_px[i][1] < out.area_px[out.ef_es_frame][1]) {
      out.ef_es_frame = static_cast<int>(i);
    }
  }
  out.ed_frames = {out.ef_ed_frame};
  out.es_frames = {out.ef_es_frame};
  out.has_ejection_fraction = true;
  out.ejection_fraction_pct = ef_pct;
  out.model = {"botm-test", "1.2", std::string(64, 'a')};
  return out;
}

absl::StatusOr<Validation> Validate(const std::string& path) {
  absl::StatusOr<botm::testing::CommandResult> run =
      botm::testing::RunCommand({"/usr/bin/dciodvfy", "-new", path}, absl::Seconds(60));
  if (!run.ok()) return run.status();
  Validation v;
  v.output = run->output;
  for (absl::string_view line : absl::StrSplit(run->output, '\n')) {
    if (absl::StartsWith(line, "Error")) v.errors.emplace_back(line);
    if (absl::StartsWith(line, "Warning")) v.warnings.emplace_back(line);
  }
  return v;
}

}  // namespace botm::dicom::testing
