#include "core/train/augment.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace botm::train {
namespace {

constexpr double kPi = 3.14159265358979323846;

// Fills a matrix with standard normal values from the Rng (deterministic, own transform).
cv::Mat NormalField(cv::Size size, Rng& rng) {
  cv::Mat f(size, CV_32FC1);
  for (int y = 0; y < size.height; ++y) {
    float* row = f.ptr<float>(y);
    for (int x = 0; x < size.width; ++x) row[x] = static_cast<float>(rng.Normal());
  }
  return f;
}

void WallDropout(const AugmentOptions& o, const cv::Mat& labels, Rng& rng, cv::Mat* image) {
  const cv::Moments m = cv::moments(labels == 1, true);
  if (m.m00 < 4) return;
  const double cx = m.m10 / m.m00, cy = m.m01 / m.m00;
  const double centre = rng.Uniform(-kPi, kPi);
  const double half = 0.5 * rng.Uniform(o.min_dropout_deg, o.max_dropout_deg) * kPi / 180.0;
  const float gain = static_cast<float>(rng.Uniform(o.min_dropout_gain, o.max_dropout_gain));
  // The wedge covers the myocardium and a thin band outside it (the epicardial border).
  cv::Mat wall = labels == 2;
  cv::dilate(wall, wall, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(5, 5)));
  cv::Mat weight(labels.size(), CV_32FC1, cv::Scalar(0));
  for (int y = 0; y < labels.rows; ++y) {
    const uint8_t* w = wall.ptr<uint8_t>(y);
    float* out = weight.ptr<float>(y);
    for (int x = 0; x < labels.cols; ++x) {
      if (!w[x]) continue;
      double d = std::atan2(y - cy, x - cx) - centre;
      d = std::remainder(d, 2 * kPi);
      if (std::fabs(d) <= half) out[x] = 1.f;
    }
  }
  cv::GaussianBlur(weight, weight, cv::Size(0, 0), 1.5);
  // image = image * (1 - w * (1 - gain))
  cv::Mat factor = 1.f - weight * (1.f - gain);
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

void ApplyPhotometric(const AugmentOptions& o, const cv::Mat& labels, Rng& rng, cv::Mat* image) {
  if (!o.enabled) return;
  if (!labels.empty() && rng.Bernoulli(o.dropout_probability)) WallDropout(o, labels, rng, image);
  if (rng.Bernoulli(o.noise_probability)) {
    const double sigma = rng.Uniform(0.0, o.max_noise_sigma);
    cv::Mat field = NormalField(image->size(), rng);
    cv::GaussianBlur(field, field, cv::Size(0, 0), 0.7);
    field =
        1.f + static_cast<float>(sigma * 1.6) * field;  // blur at 0.7 px keeps ~1/1.6 of the std
    cv::multiply(*image, field, *image);
  }
  if (rng.Bernoulli(o.blur_probability)) {
    cv::GaussianBlur(*image, *image, cv::Size(0, 0), rng.Uniform(0.4, o.max_blur_sigma_px));
  }
  const double gain = rng.Uniform(1 - o.gain_jitter, 1 + o.gain_jitter);
  const double offset = rng.Uniform(-o.offset_jitter, o.offset_jitter);
  image->convertTo(*image, CV_32FC1, gain, offset);
  cv::max(*image, 0.0, *image);
  cv::min(*image, 1.0, *image);
  if (rng.Bernoulli(o.gamma_probability)) {
    const double g = std::exp(rng.Uniform(std::log(o.min_gamma), std::log(o.max_gamma)));
    cv::pow(*image, g, *image);
  }
}

void AugmentPair(const AugmentOptions& o, Rng& rng, FramePair* pair) {
  const GeometricParams g = SampleGeometric(o, rng);
  ApplyGeometric(g, &pair->image_a, &pair->labels_a);
  ApplyGeometric(g, &pair->image_b, &pair->labels_b);
  ApplyPhotometric(o, pair->labels_a, rng, &pair->image_a);
  ApplyPhotometric(o, pair->labels_b, rng, &pair->image_b);
}

}  // namespace botm::train
