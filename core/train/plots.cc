#include "core/train/plots.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <opencv2/imgproc.hpp>

#include "absl/strings/str_format.h"
#include "core/image/image_codec.h"

namespace botm::train {
namespace {

void Text(cv::Mat* img, const std::string& s, cv::Point at, double scale = 0.45,
          cv::Scalar color = cv::Scalar(30, 30, 30)) {
  cv::putText(*img, s, at, cv::FONT_HERSHEY_SIMPLEX, scale, color, 1, cv::LINE_AA);
}

cv::Scalar HueColor(double t) {
  cv::Mat hsv(1, 1, CV_8UC3, cv::Scalar(static_cast<int>(170 * t), 220, 255)), bgr;
  cv::cvtColor(hsv, bgr, cv::COLOR_HSV2BGR);
  const cv::Vec3b c = bgr.at<cv::Vec3b>(0, 0);
  return cv::Scalar(c[0], c[1], c[2]);
}

}  // namespace

cv::Mat PlotCurves(const std::vector<Curve>& curves, const std::string& title,
                   const std::string& y_label, cv::Size size) {
  cv::Mat img(size, CV_8UC3, cv::Scalar(255, 255, 255));
  const int left = 70, right = 20, top = 40, bottom = 45;
  const cv::Rect area(left, top, size.width - left - right, size.height - top - bottom);
  double lo = std::numeric_limits<double>::max(), hi = std::numeric_limits<double>::lowest();
  size_t n = 0;
  for (const Curve& c : curves) {
    for (double v : c.values) lo = std::min(lo, v), hi = std::max(hi, v);
    n = std::max(n, c.values.size());
  }
  if (n == 0) return img;
  if (hi <= lo) hi = lo + 1;
  const double pad = 0.05 * (hi - lo);
  lo -= pad, hi += pad;
  auto px = [&](size_t i, double v) {
    const double x = area.x + area.width * (n > 1 ? static_cast<double>(i) / (n - 1) : 0.5);
    const double y = area.y + area.height * (1.0 - (v - lo) / (hi - lo));
    return cv::Point(static_cast<int>(std::lround(x)), static_cast<int>(std::lround(y)));
  };
  cv::rectangle(img, area, cv::Scalar(120, 120, 120), 1);
  Text(&img, title, cv::Point(left, 25), 0.6);
  Text(&img, y_label, cv::Point(5, top - 8));
  Text(&img, absl::StrFormat("%.0f", hi), cv::Point(5, top + 12));
  Text(&img, absl::StrFormat("%.0f", lo), cv::Point(5, area.y + area.height));
  Text(&img, "0", cv::Point(left - 4, size.height - 25));
  Text(&img, absl::StrFormat("frame %d", static_cast<int>(n) - 1),
       cv::Point(area.x + area.width - 70, size.height - 25));
  for (size_t k = 0; k < curves.size(); ++k) {
    const Curve& c = curves[k];
    for (size_t i = 1; i < c.values.size(); ++i) {
      cv::line(img, px(i - 1, c.values[i - 1]), px(i, c.values[i]), c.color, 2, cv::LINE_AA);
    }
    const cv::Point key(left + 10 + 170 * static_cast<int>(k), size.height - 8);
    cv::line(img, key + cv::Point(0, -4), key + cv::Point(25, -4), c.color, 3);
    Text(&img, c.name, key + cv::Point(30, 0));
  }
  return img;
}

cv::Mat DrawMatching(const cv::Mat& image_a, const cv::Mat& image_b, const std::vector<float>& plan,
                     cv::Size grid, int side_px) {
  cv::Mat a, b, canvas;
  cv::resize(image::ToBgr8(image_a), a, cv::Size(side_px, side_px), 0, 0, cv::INTER_LINEAR);
  cv::resize(image::ToBgr8(image_b), b, cv::Size(side_px, side_px), 0, 0, cv::INTER_LINEAR);
  cv::hconcat(a, b, canvas);
  const int n = grid.area();
  if (n == 0 || plan.size() != static_cast<size_t>(n) * n) return canvas;
  const double cw = static_cast<double>(side_px) / grid.width,
               ch = static_cast<double>(side_px) / grid.height;
  auto centre = [&](int t) {
    return cv::Point2d((t % grid.width + 0.5) * cw, (t / grid.width + 0.5) * ch);
  };
  for (int gx = 1; gx < grid.width; ++gx) {
    for (int off : {0, side_px}) {
      cv::line(canvas, cv::Point(off + static_cast<int>(gx * cw), 0),
               cv::Point(off + static_cast<int>(gx * cw), side_px), cv::Scalar(70, 70, 70), 1);
    }
  }
  for (int gy = 1; gy < grid.height; ++gy) {
    cv::line(canvas, cv::Point(0, static_cast<int>(gy * ch)),
             cv::Point(2 * side_px, static_cast<int>(gy * ch)), cv::Scalar(70, 70, 70), 1);
  }
  for (int i = 0; i < n; ++i) {
    double mass = 0, peak = 0;
    cv::Point2d target(0, 0);
    for (int j = 0; j < n; ++j) {
      const double t = plan[static_cast<size_t>(i) * n + j];
      mass += t;
      peak = std::max(peak, t);
      target += t * centre(j);
    }
    if (mass <= 0) continue;
    target *= 1.0 / mass;
    const cv::Scalar color = HueColor(static_cast<double>(i) / std::max(1, n - 1));
    const int width = 1 + static_cast<int>(std::lround(3.0 * peak / mass));
    const cv::Point from(centre(i));
    const cv::Point to(static_cast<int>(target.x) + side_px, static_cast<int>(target.y));
    cv::line(canvas, from, to, color, width, cv::LINE_AA);
    cv::circle(canvas, from, 3, color, -1, cv::LINE_AA);
    cv::circle(canvas, to, 3, color, -1, cv::LINE_AA);
  }
  return canvas;
}

}  // namespace botm::train
