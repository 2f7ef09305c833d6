#include "core/train/eval_plots.h"

#include <algorithm>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "absl/strings/str_cat.h"
#include "core/image/overlay.h"
#include "core/metrics/metrics.h"
#include "core/train/plots.h"

namespace botm::train {
namespace {

absl::Status WritePng(const std::string& path, const cv::Mat& img) {
  if (!cv::imwrite(path, img)) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

// Frame index of the largest (ed = true) or smallest true LV area.
int Extreme(const std::vector<double>& curve, bool largest) {
  if (curve.empty()) return 0;
  auto it = largest ? std::max_element(curve.begin(), curve.end())
                    : std::min_element(curve.begin(), curve.end());
  return static_cast<int>(it - curve.begin());
}

cv::Mat Upscaled(const cv::Mat& m, int side) {
  cv::Mat out;
  const double f = static_cast<double>(side) / std::max(m.cols, m.rows);
  cv::resize(m, out, cv::Size(), f, f, cv::INTER_NEAREST);
  return out;
}

}  // namespace

absl::Status WriteClipPlots(const EvalClip& clip, const std::string& out_dir) {
  bool dense = clip.images.size() >= 2;
  for (const cv::Mat& l : clip.labels) dense = dense && !l.empty();
  std::vector<double> truth_area, pred_area;
  if (dense) {
    const double mm2 = clip.spacing_mm_x * clip.spacing_mm_y;
    for (double a : metrics::LvAreaCurve(clip.labels)) truth_area.push_back(a * mm2);
    for (double a : metrics::LvAreaCurve(clip.predicted)) pred_area.push_back(a * mm2);
    cv::Mat plot = PlotCurves({{"ground truth", truth_area, cv::Scalar(40, 40, 40)},
                               {"BOTM prediction", pred_area, cv::Scalar(40, 40, 220)}},
                              absl::StrCat("LV cavity area, ", clip.id), "mm^2");
    if (absl::Status s = WritePng(absl::StrCat(out_dir, "/", clip.id, "_lv_area.png"), plot);
        !s.ok())
      return s;
  }
  std::vector<int> frames = {Extreme(truth_area, true), Extreme(truth_area, false)};
  if (!dense) frames = {0, static_cast<int>(clip.images.size()) - 1};
  cv::Mat rows;
  for (int f : frames) {
    if (clip.labels[f].empty()) continue;
    cv::Mat pred = image::RenderOverlay(clip.images[f], clip.predicted[f]);
    cv::Mat truth = image::RenderOverlay(clip.images[f], clip.labels[f]);
    image::DrawCaption(&pred, absl::StrCat("frame ", f, " predicted"));
    image::DrawCaption(&truth, "ground truth");
    cv::Mat row = image::SideBySide(Upscaled(pred, 256), Upscaled(truth, 256));
    if (rows.empty()) {
      rows = row;
    } else if (row.cols == rows.cols) {
      cv::vconcat(rows, row, rows);
    }
  }
  if (rows.empty()) return absl::OkStatus();
  return WritePng(absl::StrCat(out_dir, "/", clip.id, "_overlay.png"), rows);
}

absl::Status WriteMatchingPlot(SegmenterOptions options, const EvalClip& clip,
                               const std::string& out_dir) {
  if (clip.images.size() < 2) return absl::OkStatus();
  options.return_transport_plan = true;
  auto seg = Segmenter::Create(options);
  if (!seg.ok()) return seg.status();
  std::vector<double> area;
  bool dense = true;
  for (const cv::Mat& l : clip.labels) dense = dense && !l.empty();
  if (dense) area = metrics::LvAreaCurve(clip.labels);
  const int a = std::min(Extreme(area, true), static_cast<int>(clip.images.size()) - 2);
  std::vector<cv::Mat> pair = {clip.images[a], clip.images[a + 1]};
  auto enc = (*seg)->Encode(pair);
  if (!enc.ok()) return enc.status();
  std::vector<DecodeRequest> req = {{(*enc)[0], (*enc)[1]}};
  auto out = (*seg)->Decode(req);
  if (!out.ok()) return out.status();
  const FrameOutput& f = (*out)[0];
  if (f.transport_plan.empty()) return absl::OkStatus();
  cv::Mat left = image::RenderOverlay(pair[0], f.labels, 0.25f);
  cv::Mat pic = DrawMatching(left, pair[1], f.transport_plan, f.plan_grid);
  image::DrawCaption(&pic, absl::StrCat("stage-4 transport plan, frame ", a, " -> ", a + 1));
  return WritePng(absl::StrCat(out_dir, "/matching_", clip.id, ".png"), pic);
}

}  // namespace botm::train
