#include "core/train/augment.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/model/internal/preprocess.h"

namespace botm::train {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kInSectorFloor = 2.0 / 255.0;

// Fills a matrix with standard normal values from the Rng (deterministic, own transform).
cv::Mat NormalField(cv::Size size, Rng& rng) {
  cv::Mat f(size, CV_32FC1);
  for (int y = 0; y < size.height; ++y) {
    float* row = f.ptr<float>(y);
    for (int x = 0; x < size.width; ++x) row[x] = static_cast<float>(rng.Normal());
  }
  return f;
}

double LogUniform(Rng& rng, double lo, double hi) {
  return std::exp(rng.Uniform(std::log(lo), std::log(hi)));
}

// A smooth field 1 + amplitude * g, g in about [-1, 1]: a few random control points,
// bicubically upsampled.
cv::Mat GainField(cv::Size size, double amplitude, Rng& rng) {
  const int nodes = rng.UniformInt(3, 5);
  cv::Mat coarse(nodes, nodes, CV_32FC1);
  for (int y = 0; y < nodes; ++y) {
    for (int x = 0; x < nodes; ++x) coarse.at<float>(y, x) = static_cast<float>(rng.Uniform(-1, 1));
  }
  cv::Mat field;
  cv::resize(coarse, field, size, 0, 0, cv::INTER_CUBIC);
  field = 1.f + static_cast<float>(amplitude) * field;
  cv::max(field, 0.2, field);
  return field;
}

void WallDropout(const AppearanceParams& a, const cv::Mat& labels, cv::Mat* image) {
  const cv::Moments m = cv::moments(labels == 1, true);
  if (m.m00 < 4) return;
  const double cx = m.m10 / m.m00, cy = m.m01 / m.m00;
  // The wedge covers the myocardium and a thin band outside it (the epicardial border).
  cv::Mat wall = labels == 2;
  cv::dilate(wall, wall, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(5, 5)));
  cv::Mat weight(labels.size(), CV_32FC1, cv::Scalar(0));
  for (int y = 0; y < labels.rows; ++y) {
    const uint8_t* w = wall.ptr<uint8_t>(y);
    float* out = weight.ptr<float>(y);
    for (int x = 0; x < labels.cols; ++x) {
      if (!w[x]) continue;
      const double d = std::remainder(std::atan2(y - cy, x - cx) - a.dropout_center_rad, 2 * kPi);
      if (std::fabs(d) <= a.dropout_half_rad) out[x] = 1.f;
    }
  }
  cv::GaussianBlur(weight, weight, cv::Size(0, 0), 1.5);
  // image = image * (1 - w * (1 - gain))
  cv::Mat factor = 1.f - weight * static_cast<float>(1 - a.dropout_gain);
  cv::multiply(*image, factor, *image);
}

}  // namespace

GeometricParams SampleGeometric(const AugmentOptions& o, Rng& rng) {
  GeometricParams p;
  if (!o.enabled) return p;
  p.rotation_deg = rng.Uniform(-o.max_rotation_deg, o.max_rotation_deg);
  p.scale = rng.Uniform(o.min_scale, o.max_scale);
  p.shift_x_frac = rng.Uniform(-o.max_shift_frac, o.max_shift_frac);
  p.shift_y_frac = rng.Uniform(-o.max_shift_frac, o.max_shift_frac);
  return p;
}

void ApplyGeometric(const GeometricParams& p, cv::Mat* image, cv::Mat* labels) {
  if (p.rotation_deg == 0 && p.scale == 1 && p.shift_x_frac == 0 && p.shift_y_frac == 0) return;
  const cv::Size size = image->size();
  const cv::Point2f c(0.5f * (size.width - 1), 0.5f * (size.height - 1));
  cv::Mat a = cv::getRotationMatrix2D(c, p.rotation_deg, p.scale);
  a.at<double>(0, 2) += p.shift_x_frac * size.width;
  a.at<double>(1, 2) += p.shift_y_frac * size.height;
  cv::warpAffine(*image, *image, a, size, cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(0));
  if (labels != nullptr && !labels->empty()) {
    cv::warpAffine(*labels, *labels, a, size, cv::INTER_NEAREST, cv::BORDER_CONSTANT,
                   cv::Scalar(0));
  }
}

AppearanceParams SampleAppearance(const AugmentOptions& o, cv::Size size, Rng& rng) {
  AppearanceParams a;
  if (!o.enabled) return a;
  if (rng.Bernoulli(o.dropout_probability)) {
    a.dropout = true;
    a.dropout_center_rad = rng.Uniform(-kPi, kPi);
    a.dropout_half_rad = 0.5 * rng.Uniform(o.min_dropout_deg, o.max_dropout_deg) * kPi / 180.0;
    a.dropout_gain = rng.Uniform(o.min_dropout_gain, o.max_dropout_gain);
  }
  if (rng.Bernoulli(o.noise_probability)) a.noise_sigma = rng.Uniform(0.0, o.max_noise_sigma);
  if (rng.Bernoulli(o.blur_probability)) a.blur_sigma_px = rng.Uniform(0.4, o.max_blur_sigma_px);
  if (rng.Bernoulli(o.gain_field_probability)) {
    a.gain_field = GainField(size, rng.Uniform(0.0, o.max_gain_field), rng);
  }
  a.gain = rng.Uniform(1 - o.gain_jitter, 1 + o.gain_jitter);
  if (rng.Bernoulli(o.contrast_probability)) {
    a.contrast = LogUniform(rng, o.min_contrast, o.max_contrast);
  }
  a.offset = rng.Uniform(-o.offset_jitter, o.offset_jitter);
  if (rng.Bernoulli(o.gamma_probability)) a.gamma = LogUniform(rng, o.min_gamma, o.max_gamma);
  return a;
}

void ApplyAppearance(const AppearanceParams& a, const cv::Mat& labels, Rng& rng, cv::Mat* image) {
  const cv::Mat sector = *image > 0;  // black padding stays black
  if (a.dropout && !labels.empty()) WallDropout(a, labels, image);
  if (a.noise_sigma > 0) {
    cv::Mat field = NormalField(image->size(), rng);
    cv::GaussianBlur(field, field, cv::Size(0, 0), 0.7);
    // Blur at 0.7 px keeps ~1/1.6 of the std.
    field = 1.f + static_cast<float>(a.noise_sigma * 1.6) * field;
    cv::multiply(*image, field, *image);
  }
  if (a.blur_sigma_px > 0) cv::GaussianBlur(*image, *image, cv::Size(0, 0), a.blur_sigma_px);
  if (!a.gain_field.empty() && a.gain_field.size() == image->size()) {
    cv::multiply(*image, a.gain_field, *image);
  }
  const double mean = cv::countNonZero(sector) > 0 ? cv::mean(*image, sector)[0] : 0.0;
  // v' = gain * (mean + contrast * (v - mean)) + offset
  image->convertTo(*image, CV_32FC1, a.gain * a.contrast,
                   a.gain * mean * (1 - a.contrast) + a.offset);
  cv::max(*image, 0.0, *image);
  cv::min(*image, 1.0, *image);
  if (a.gamma != 1) cv::pow(*image, a.gamma, *image);
  // A scanner's darkest in-sector value stays above the padding's black (2 on 8-bit), so a dark
  // setting does not turn tissue into "outside the sector" for the input policy.
  cv::max(*image, kInSectorFloor, *image);
  image->setTo(0, ~sector);
  // Real frames arrive as 8-bit display values: quantise, so dark, gamma-compressed frames lose
  // the same precision in training as in service.
  image->convertTo(*image, CV_32FC1, 255.0);
  for (int y = 0; y < image->rows; ++y) {
    float* p = image->ptr<float>(y);
    for (int x = 0; x < image->cols; ++x) p[x] = std::nearbyint(p[x]) / 255.0f;
  }
}

void ApplyPhotometric(const AugmentOptions& o, const cv::Mat& labels, Rng& rng, cv::Mat* image) {
  ApplyAppearance(SampleAppearance(o, image->size(), rng), labels, rng, image);
}

void AugmentPair(const AugmentOptions& o, Rng& rng, FramePair* pair) {
  const GeometricParams g = SampleGeometric(o, rng);
  ApplyGeometric(g, &pair->image_a, &pair->labels_a);
  ApplyGeometric(g, &pair->image_b, &pair->labels_b);
  if (!o.enabled) return;
  const AppearanceParams a = SampleAppearance(o, pair->image_a.size(), rng);
  ApplyAppearance(a, pair->labels_a, rng, &pair->image_a);
  ApplyAppearance(a, pair->labels_b, rng, &pair->image_b);
}

void DegradeResolution(const AugmentOptions& o, int input_size, bool crop_sector, Rng& rng,
                       FramePair* pair) {
  if (!o.enabled || o.lowres_probability <= 0 || !rng.Bernoulli(o.lowres_probability)) return;
  const double frac = rng.Uniform(o.min_lowres_frac, o.max_lowres_frac);
  const bool jpeg = rng.Bernoulli(o.jpeg_probability);
  const int quality = rng.UniformInt(o.min_jpeg_quality, o.max_jpeg_quality);
  const cv::Rect box = crop_sector ? internal::FindSectorBox(pair->image_a)
                                   : cv::Rect(0, 0, pair->image_a.cols, pair->image_a.rows);
  const double factor = input_size * frac / std::max(box.width, box.height);
  if (factor >= 1.0) return;
  for (cv::Mat* image : {&pair->image_a, &pair->image_b}) {
    const cv::Size full = image->size();
    const cv::Size small(std::max(8, static_cast<int>(std::lround(full.width * factor))),
                         std::max(8, static_cast<int>(std::lround(full.height * factor))));
    cv::Mat low, low8;
    cv::resize(*image, low, small, 0, 0, cv::INTER_AREA);
    low.convertTo(low8, CV_8UC1, 255.0);  // rounds and saturates
    if (jpeg) {
      std::vector<uint8_t> bytes;
      cv::imencode(".jpg", low8, bytes, {cv::IMWRITE_JPEG_QUALITY, quality});
      low8 = cv::imdecode(bytes, cv::IMREAD_GRAYSCALE);
    }
    low8.convertTo(low, CV_32FC1, 1.0 / 255.0);
    cv::resize(low, *image, full, 0, 0, cv::INTER_LINEAR);
  }
}

}  // namespace botm::train
