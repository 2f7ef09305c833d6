// WriteLatencyPlot (declared in bench_report.h): empirical CDFs of client-side latency.
#include <algorithm>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/bench_report.h"

namespace botm::client {
namespace {

constexpr int kMarginLeft = 70, kMarginRight = 20, kMarginTop = 30, kMarginBottom = 50;

const cv::Scalar& RunColor(size_t i) {
  static const cv::Scalar kColors[] = {{200, 90, 30},  {30, 120, 230}, {60, 170, 60},
                                       {160, 60, 160}, {20, 20, 20},   {40, 180, 200}};
  return kColors[i % 6];
}

void DrawAxes(cv::Mat* canvas, double max_ms) {
  const int w = canvas->cols, h = canvas->rows;
  const cv::Point origin(kMarginLeft, h - kMarginBottom);
  const cv::Scalar black(0, 0, 0), grid(220, 220, 220);
  for (int i = 0; i <= 5; ++i) {
    const int x = kMarginLeft + (w - kMarginLeft - kMarginRight) * i / 5;
    const int y = h - kMarginBottom - (h - kMarginTop - kMarginBottom) * i / 5;
    cv::line(*canvas, {x, kMarginTop}, {x, origin.y}, grid);
    cv::line(*canvas, {kMarginLeft, y}, {w - kMarginRight, y}, grid);
    cv::putText(*canvas, absl::StrFormat("%.1f", max_ms * i / 5), {x - 15, origin.y + 18},
                cv::FONT_HERSHEY_SIMPLEX, 0.4, black);
    cv::putText(*canvas, absl::StrFormat("%.1f", i / 5.0), {kMarginLeft - 35, y + 4},
                cv::FONT_HERSHEY_SIMPLEX, 0.4, black);
  }
  cv::line(*canvas, origin, {w - kMarginRight, origin.y}, black);
  cv::line(*canvas, origin, {kMarginLeft, kMarginTop}, black);
  cv::putText(*canvas, "client latency (ms)", {w / 2 - 70, h - 12}, cv::FONT_HERSHEY_SIMPLEX, 0.5,
              black);
  cv::putText(*canvas, "CDF", {kMarginLeft - 35, kMarginTop - 12}, cv::FONT_HERSHEY_SIMPLEX, 0.5,
              black);
}

void DrawCdf(cv::Mat* canvas, std::vector<double> values, double max_ms, const cv::Scalar& color) {
  if (values.empty()) return;
  std::sort(values.begin(), values.end());
  const int w = canvas->cols - kMarginLeft - kMarginRight;
  const int h = canvas->rows - kMarginTop - kMarginBottom;
  std::vector<cv::Point> points;
  const double n = static_cast<double>(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    const double x = std::min(values[i], max_ms) / max_ms;
    const double y = static_cast<double>(i + 1) / n;
    points.emplace_back(kMarginLeft + static_cast<int>(x * w),
                        canvas->rows - kMarginBottom - static_cast<int>(y * h));
  }
  cv::polylines(*canvas, points, false, color, 2, cv::LINE_AA);
}

}  // namespace

absl::Status WriteLatencyPlot(const std::vector<BenchResult>& runs, const std::string& path,
                              int width_px, int height_px) {
  if (width_px < 200 || height_px < 150) {
    return absl::InvalidArgumentError("plot must be at least 200x150 pixels");
  }
  double max_ms = 0;
  for (const BenchResult& run : runs) max_ms = std::max(max_ms, PhaseSummaries(run)[0].p99_ms);
  max_ms = max_ms > 0 ? max_ms * 1.2 : 1.0;
  cv::Mat canvas(height_px, width_px, CV_8UC3, cv::Scalar(255, 255, 255));
  DrawAxes(&canvas, max_ms);
  for (size_t i = 0; i < runs.size(); ++i) {
    std::vector<double> values;
    for (const FrameSample& s : runs[i].samples) values.push_back(s.client_ms);
    DrawCdf(&canvas, std::move(values), max_ms, RunColor(i));
    const std::string label = absl::StrFormat("%s (%d streams, p50 %.1f ms)", runs[i].mode,
                                              runs[i].streams, PhaseSummaries(runs[i])[0].p50_ms);
    // Legend bottom-right, where CDF curves rarely are.
    const int row = static_cast<int>(runs.size() - i);
    cv::putText(canvas, label, {width_px - 330, height_px - kMarginBottom - 12 - 20 * (row - 1)},
                cv::FONT_HERSHEY_SIMPLEX, 0.45, RunColor(i), 1, cv::LINE_AA);
  }
  bool written = false;
  try {
    written = cv::imwrite(path, canvas);
  } catch (const cv::Exception&) {
    written = false;
  }
  if (!written) return absl::InternalError(absl::StrCat("cannot write plot '", path, "'"));
  return absl::OkStatus();
}

}  // namespace botm::client
