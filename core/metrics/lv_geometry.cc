// MeasureLv (declared in metrics.h).
#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "core/metrics/metrics.h"

namespace botm::metrics {
namespace {

constexpr uint8_t kAtriumLabel = 3;
constexpr int kDiscCount = 20;
// Dilation radii (px) tried in turn to find where the cavity touches the atrium.
constexpr std::array<int, 5> kContactRadiiPx = {1, 2, 3, 5, 8};
// Thickness of the basal band, in pixels, whose centroid is the mitral midpoint without LA.
constexpr double kBasalBandPx = 1.5;

struct Cavity {
  std::vector<cv::Point> px;
  std::vector<cv::Point2d> mm;
};

cv::Point2d CentroidMm(const std::vector<cv::Point>& pts, double sx, double sy) {
  cv::Point2d c(0, 0);
  for (const cv::Point& p : pts) c += cv::Point2d(p.x * sx, p.y * sy);
  return c * (1.0 / static_cast<double>(pts.size()));
}

// Returns true and the midpoint when the cavity touches the atrium within a few pixels.
bool MitralFromAtrium(const cv::Mat& labels, const cv::Mat& cavity, double sx, double sy,
                      cv::Point2d* mid) {
  // Only atrium pixels within the largest radius of the cavity's box can touch it.
  const int margin = kContactRadiiPx.back();
  const cv::Rect roi =
      (cv::boundingRect(cavity) + cv::Point(-margin, -margin) + cv::Size(2 * margin, 2 * margin)) &
      cv::Rect(cv::Point(), labels.size());
  const cv::Mat atrium = (labels(roi) == kAtriumLabel);
  if (cv::countNonZero(atrium) == 0) return false;
  for (int r : kContactRadiiPx) {
    cv::Mat grown;
    cv::dilate(atrium, grown, cv::getStructuringElement(cv::MORPH_ELLIPSE, {2 * r + 1, 2 * r + 1}));
    std::vector<cv::Point> contact;
    cv::findNonZero(grown & cavity(roi), contact);
    if (contact.size() >= 2) {
      for (cv::Point& p : contact) p += roi.tl();
      *mid = CentroidMm(contact, sx, sy);
      return true;
    }
  }
  return false;
}

// Returns the centroid of the basal end of the cavity along its principal axis; the base is
// the end with the larger row coordinate (apical views put the apex at the top).
cv::Point2d MitralFromPrincipalAxis(const Cavity& c, double sx, double sy) {
  cv::Point2d mean(0, 0);
  for (const cv::Point2d& p : c.mm) mean += p;
  mean *= 1.0 / static_cast<double>(c.mm.size());
  double cxx = 0, cxy = 0, cyy = 0;
  for (const cv::Point2d& p : c.mm) {
    const cv::Point2d d = p - mean;
    cxx += d.x * d.x;
    cxy += d.x * d.y;
    cyy += d.y * d.y;
  }
  const double angle = 0.5 * std::atan2(2 * cxy, cxx - cyy);  // major-axis direction
  cv::Point2d e(std::cos(angle), std::sin(angle));
  if (e.y < 0 || (e.y == 0 && e.x < 0)) e = -e;
  double t_max = -1e300;
  for (const cv::Point2d& p : c.mm) t_max = std::max(t_max, (p - mean).dot(e));
  const double band_mm = kBasalBandPx * std::max(sx, sy);
  std::vector<cv::Point> basal;
  for (size_t i = 0; i < c.mm.size(); ++i) {
    if ((c.mm[i] - mean).dot(e) >= t_max - band_mm) basal.push_back(c.px[i]);
  }
  return CentroidMm(basal, sx, sy);
}

// Single-plane method of discs (Lang et al. 2015), volume in ml.
double DiscVolumeMl(const Cavity& c, cv::Point2d mid, cv::Point2d axis, double length_mm,
                    double pixel_area_mm2) {
  const double h = length_mm / kDiscCount;
  std::array<double, kDiscCount> slab_mm2{};
  for (const cv::Point2d& p : c.mm) {
    const int bin = static_cast<int>(std::floor((p - mid).dot(axis) / h));
    slab_mm2[std::clamp(bin, 0, kDiscCount - 1)] += pixel_area_mm2;
  }
  double volume_mm3 = 0;
  for (double a : slab_mm2) {
    const double d = a / h;  // mean chord of the slab = disc diameter
    volume_mm3 += M_PI * 0.25 * d * d * h;
  }
  return volume_mm3 / 1000.0;
}

}  // namespace

LvGeometry MeasureLv(const cv::Mat& labels, double spacing_x_mm, double spacing_y_mm,
                     uint8_t lv_label) {
  CV_Assert(labels.type() == CV_8UC1);
  LvGeometry g;
  const double sx = spacing_x_mm, sy = spacing_y_mm;
  const cv::Mat cavity = (labels == lv_label);
  Cavity c;
  cv::findNonZero(cavity, c.px);
  g.area_px = static_cast<double>(c.px.size());
  if (c.px.empty() || !(sx > 0) || !(sy > 0)) return g;
  g.area_mm2 = g.area_px * sx * sy;
  for (const cv::Point& p : c.px) c.mm.emplace_back(p.x * sx, p.y * sy);
  cv::Point2d mid;
  g.mitral_from_atrium = lv_label != kAtriumLabel && MitralFromAtrium(labels, cavity, sx, sy, &mid);
  if (!g.mitral_from_atrium) mid = MitralFromPrincipalAxis(c, sx, sy);
  size_t apex = 0;
  double best = -1;
  for (size_t i = 0; i < c.mm.size(); ++i) {
    const double d = cv::norm(c.mm[i] - mid);
    if (d > best) {
      best = d;
      apex = i;
    }
  }
  g.length_mm = best;
  g.apex_px = cv::Point2d(c.px[apex]);
  g.mitral_mid_px = cv::Point2d(mid.x / sx, mid.y / sy);
  if (!(g.length_mm > 0)) return g;
  const double area_cm2 = g.area_mm2 / 100.0, length_cm = g.length_mm / 10.0;
  g.volume_area_length_ml = 8.0 * area_cm2 * area_cm2 / (3.0 * M_PI * length_cm);
  const cv::Point2d axis = (c.mm[apex] - mid) * (1.0 / g.length_mm);
  g.volume_discs_ml = DiscVolumeMl(c, mid, axis, g.length_mm, sx * sy);
  return g;
}

}  // namespace botm::metrics
