#include "core/image/overlay.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "core/image/image_codec.h"

namespace botm::image {
namespace {

// Returns a font scale that grows with the image height, with a legible minimum.
double FontScale(const cv::Mat& bgr) { return std::max(0.3, bgr.rows / 640.0); }

void DrawOutlinedText(cv::Mat* bgr, const std::string& text, cv::Point origin, double scale,
                      cv::Scalar colour) {
  cv::putText(*bgr, text, origin, cv::FONT_HERSHEY_SIMPLEX, scale, cv::Scalar(0, 0, 0), 3,
              cv::LINE_AA);
  cv::putText(*bgr, text, origin, cv::FONT_HERSHEY_SIMPLEX, scale, colour, 1, cv::LINE_AA);
}

}  // namespace

const std::array<cv::Vec3b, kNumClasses>& ClassColors() {
  static const std::array<cv::Vec3b, kNumClasses> colors = {
      cv::Vec3b(0, 0, 0), cv::Vec3b(60, 60, 235), cv::Vec3b(70, 205, 70), cv::Vec3b(235, 140, 40)};
  return colors;
}

cv::Vec3b ClassColor(uint8_t label) {
  return label < kNumClasses ? ClassColors()[label] : cv::Vec3b(255, 255, 255);
}

cv::Mat RenderOverlay(const cv::Mat& image, const cv::Mat& labels, float alpha) {
  OverlayOptions options;
  options.alpha = alpha;
  return RenderOverlay(image, labels, options);
}

cv::Mat RenderOverlay(const cv::Mat& image, const cv::Mat& labels, const OverlayOptions& options) {
  cv::Mat out = ToBgr8(image);
  if (out.empty() || labels.empty()) return out;
  CV_Assert(labels.type() == CV_8UC1);
  cv::Mat lab = labels;
  if (lab.size() != out.size()) cv::resize(labels, lab, out.size(), 0, 0, cv::INTER_NEAREST);
  const float a = std::clamp(options.alpha, 0.0f, 1.0f);
  for (int y = 0; y < out.rows; ++y) {
    cv::Vec3b* px = out.ptr<cv::Vec3b>(y);
    const uint8_t* l = lab.ptr<uint8_t>(y);
    for (int x = 0; x < out.cols; ++x) {
      if (l[x] == 0) continue;
      const cv::Vec3b c = ClassColor(l[x]);
      for (int k = 0; k < 3; ++k) {
        px[x][k] = cv::saturate_cast<uint8_t>((1.0f - a) * px[x][k] + a * c[k]);
      }
    }
  }
  if (options.contour_thickness_px > 0) {
    for (uint8_t label = 1; label < kNumClasses; ++label) {
      const cv::Vec3b c = ClassColor(label);
      cv::polylines(out, ClassContours(lab, label), /*isClosed=*/true, cv::Scalar(c[0], c[1], c[2]),
                    options.contour_thickness_px, cv::LINE_8);
    }
  }
  if (options.legend) DrawLegend(&out);
  return out;
}

void DrawLegend(cv::Mat* bgr) {
  const double scale = FontScale(*bgr);
  const int line_px = static_cast<int>(std::lround(28 * scale)) + 2;
  for (uint8_t label = 1; label < kNumClasses; ++label) {
    const cv::Vec3b c = ClassColor(label);
    DrawOutlinedText(bgr, ClassName(label), cv::Point(4, line_px * label), scale,
                     cv::Scalar(c[0], c[1], c[2]));
  }
}

void DrawCaption(cv::Mat* bgr, const std::string& text) {
  const double scale = FontScale(*bgr);
  DrawOutlinedText(bgr, text, cv::Point(4, bgr->rows - 6), scale, cv::Scalar(255, 255, 255));
}

cv::Mat SideBySide(const cv::Mat& left, const cv::Mat& right) {
  cv::Mat l = ToBgr8(left);
  cv::Mat r = ToBgr8(right);
  if (l.empty()) return r;
  if (r.empty()) return l;
  if (r.rows != l.rows) {
    const int width = std::max(1, static_cast<int>(std::lround(double(r.cols) * l.rows / r.rows)));
    cv::resize(r, r, cv::Size(width, l.rows), 0, 0, cv::INTER_AREA);
  }
  cv::Mat out;
  cv::hconcat(l, r, out);
  return out;
}

}  // namespace botm::image
