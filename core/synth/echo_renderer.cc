#include "core/synth/echo_renderer.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <opencv2/imgproc.hpp>

namespace botm::synth {
namespace {

constexpr double kPi = 3.14159265358979323846;

// Mean power that gives a mean display value `display` (log of an exponential variable is
// 2.51 dB below the log of its mean).
double DisplayToPower(double display, double gray_per_db) {
  if (display <= 0) return 0;
  return std::pow(10.0, (display / gray_per_db + 2.51) / 10.0);
}

// Returns log2(p) for p > 0 within 0.002 (exponent bits plus a polynomial of the mantissa);
// bit-exact on every IEEE-754 machine, unlike libm's vectorised variants.
float FastLog2(float p) {
  uint32_t bits;
  std::memcpy(&bits, &p, sizeof(bits));
  const int exponent = static_cast<int>((bits >> 23) & 0xff) - 127;
  bits = (bits & 0x007fffffu) | 0x3f800000u;
  float m;
  std::memcpy(&m, &bits, sizeof(m));  // mantissa in [1, 2)
  const float t = m - 1;
  const float poly =
      t * (1.44254208f +
           t * (-0.71814753f +
                t * (0.45764196f + t * (-0.27498460f + t * (0.12262797f - t * 0.02791045f)))));
  return static_cast<float>(exponent) + poly;
}

// Separable [1 2 1] / 4 blur along beams and along depth (the point-spread function).
void Psf(std::vector<float>& v, int ns, int nb) {
  std::vector<float> tmp(v.size());
  for (int i = 0; i < ns; ++i) {
    const float* row = &v[static_cast<size_t>(i) * nb];
    float* out = &tmp[static_cast<size_t>(i) * nb];
    for (int j = 0; j < nb; ++j) {
      const float l = row[j > 0 ? j - 1 : j], r = row[j < nb - 1 ? j + 1 : j];
      out[j] = 0.25f * l + 0.5f * row[j] + 0.25f * r;
    }
  }
  for (int i = 0; i < ns; ++i) {
    const float* up = &tmp[static_cast<size_t>(i > 0 ? i - 1 : i) * nb];
    const float* mid = &tmp[static_cast<size_t>(i) * nb];
    const float* down = &tmp[static_cast<size_t>(i < ns - 1 ? i + 1 : i) * nb];
    float* out = &v[static_cast<size_t>(i) * nb];
    for (int j = 0; j < nb; ++j) out[j] = 0.25f * up[j] + 0.5f * mid[j] + 0.25f * down[j];
  }
}

}  // namespace

EchoRenderer::EchoRenderer(const SectorGeometry& sector, const AcquisitionParams& acq,
                           uint64_t seed)
    : sector_(sector), acq_(acq), seed_(seed) {
  nb_ = sector.beams > 0 ? sector.beams : std::max(64, sector.width);
  ns_ = sector.samples > 0 ? sector.samples : std::max(64, sector.height);
  const double d = sector.depth_cm, half_width = d * std::sin(sector.half_angle_rad);
  if (sector.pixel_w_cm > 0 && sector.pixel_h_cm > 0) {
    x0_cm_ = sector.frame_x0_cm;
    y0_cm_ = sector.frame_y0_cm;
    spacing_x_cm_ = sector.pixel_w_cm;
    spacing_y_cm_ = sector.pixel_h_cm;
  } else {
    x0_cm_ = -half_width;
    y0_cm_ = 0;
    spacing_x_cm_ = 2 * half_width / sector.width;
    spacing_y_cm_ = d / sector.height;
  }
  for (int t = 0; t < kNumTissues; ++t) {
    level_db_[t] = static_cast<float>(acq.level_display[t] / acq.gray_per_db + 2.51);
  }
  // Calibrated: neighbouring scatterer samples are correlated, so the PSF keeps more power
  // than for white noise (measured: 3.3 dB more).
  speckle_norm_ = static_cast<float>(0.68 / std::sqrt(2.0 * 0.375 * 0.375));
  Rng rng(HashCombine(seed, 0xf1e1d5));
  field_cell_ = 2.2 * d / ns_ * acq.speckle_cell_scale;  // speckle grain of about 2 samples
  field_x0_ = -half_width - 0.1 * d;
  field_y0_ = -0.1 * d;
  const int nx = static_cast<int>((2 * half_width + 0.2 * d) / field_cell_) + 36;
  const int ny = static_cast<int>(1.2 * d / field_cell_) + 36;
  for (int k = 0; k < 2; ++k) tissue_speckle_.emplace_back(rng, nx, ny);
  coarse_cell_ = 2.0 * d / 15;
  fine_cell_ = 0.35 * d / 15;
  coarse_ = ScalarGrid(rng, static_cast<int>(nx * field_cell_ / coarse_cell_) + 3,
                       static_cast<int>(ny * field_cell_ / coarse_cell_) + 3);
  fine_ = ScalarGrid(rng, static_cast<int>(nx * field_cell_ / fine_cell_) + 3,
                     static_cast<int>(ny * field_cell_ / fine_cell_) + 3);
  for (int k = 0; k < 2; ++k) pool_.emplace_back(rng, nb_, ns_);
  BuildPolarTables();
  BuildScanConversion();
  if (acq.display_gamma != 1 || acq.display_gain != 1) {
    display_lut_.resize(256);
    for (int v = 0; v < 256; ++v) {
      const double out = 255 * acq.display_gain * std::pow(v / 255.0, acq.display_gamma);
      display_lut_[v] = static_cast<uint8_t>(std::clamp(std::lround(out), 0L, 255L));
    }
  }
}

namespace {

// Linear interpolation of evenly spaced knots at t in [0, 1].
template <size_t N>
double Knots(const std::array<float, N>& k, double t) {
  const double x = std::clamp(t, 0.0, 1.0) * (N - 1);
  const size_t i = std::min(static_cast<size_t>(x), N - 2);
  return k[i] + (x - i) * (k[i + 1] - k[i]);
}

}  // namespace

void EchoRenderer::BuildPolarTables() {
  const double d = sector_.depth_cm, half = sector_.half_angle_rad, g = acq_.gray_per_db;
  beam_sin_.resize(nb_);
  beam_cos_.resize(nb_);
  std::vector<double> beam_db(nb_, 0.0);
  for (int j = 0; j < nb_; ++j) {
    const double phi = -half + (j + 0.5) * 2 * half / nb_;
    beam_sin_[j] = static_cast<float>(std::sin(phi));
    beam_cos_[j] = static_cast<float>(std::cos(phi));
    beam_db[j] = -acq_.edge_loss_db * std::pow(phi / half, 4);
  }
  sample_r_.resize(ns_);
  noise_pow_.resize(ns_);
  const double noise0 = DisplayToPower(acq_.noise_display, g) / 2;  // |n|^2 has mean 2
  for (int i = 0; i < ns_; ++i) {
    sample_r_[i] = static_cast<float>((i + 0.5) * d / ns_);
    noise_pow_[i] =
        static_cast<float>(noise0 * std::pow(10.0, acq_.noise_slope_db_per_cm * sample_r_[i] / 10));
  }
  Rng rng(HashCombine(seed_, 0xc1a77e2));
  const ComplexGrid clutter_speckle(rng, nb_, ns_);
  const ScalarGrid haze_field(rng, 9, 9);
  const double near_pow = DisplayToPower(acq_.nearfield_display, g);
  const double haze_pow = DisplayToPower(acq_.haze_display, g);
  gain_.resize(static_cast<size_t>(ns_) * nb_);
  clutter_pow_.resize(gain_.size());
  for (int i = 0; i < ns_; ++i) {
    const double r = sample_r_[i];
    const double band = (r / d - acq_.haze_center_frac) / acq_.haze_width_frac;
    const double tgc = Knots(acq_.tgc_db, r / d);
    for (int j = 0; j < nb_; ++j) {
      double db = beam_db[j] - acq_.depth_loss_db_per_cm * r;
      if (tgc != 0) db += tgc;
      if (acq_.lgc_db[0] != 0) db += Knots(acq_.lgc_db, (j + 0.5) / nb_);
      const double phi = std::asin(static_cast<double>(beam_sin_[j]));
      for (const RibShadow& rib : acq_.ribs) {
        const double dphi = std::fabs(phi - rib.angle_rad) / rib.half_width_rad;
        const double onset = std::clamp((r - acq_.rib_depth_cm) / 0.5, 0.0, 1.0);
        if (dphi < 1) db -= rib.loss_db * onset * (0.5 + 0.5 * std::cos(kPi * dphi));
      }
      const size_t idx = static_cast<size_t>(i) * nb_ + j;
      gain_[idx] = static_cast<float>(std::pow(10.0, db / 20));
      float cr, ci;
      clutter_speckle.At(j, i, &cr, &ci);
      const double lump = std::max(0.0, 0.3 + haze_field.Sample(j * 8.0f / nb_, i * 8.0f / ns_));
      const double blob = lump * lump;
      const double p = near_pow * std::exp(-r / acq_.nearfield_depth_cm) +
                       haze_pow * blob * std::exp(-band * band);
      clutter_pow_[idx] =
          static_cast<float>(p * 0.5 * (cr * cr + ci * ci) * gain_[idx] * gain_[idx]);
    }
  }
}

void EchoRenderer::BuildScanConversion() {
  const int w = sector_.width, h = sector_.height;
  const double d = sector_.depth_cm, half = sector_.half_angle_rad;
  cv::Mat mapx(h, w, CV_32FC1), mapy(h, w, CV_32FC1);
  sector_mask_ = cv::Mat(h, w, CV_8UC1, cv::Scalar(0));
  int u_min = w, u_max = -1, v_min = h, v_max = -1;
  for (int v = 0; v < h; ++v) {
    for (int u = 0; u < w; ++u) {
      const double x = x0_cm_ + (u + 0.5) * spacing_x_cm_, y = y0_cm_ + (v + 0.5) * spacing_y_cm_;
      const double r = std::hypot(x, y), phi = std::atan2(x, y);
      float fx = -10, fy = -10;
      if (r <= d && std::fabs(phi) <= half) {
        fx = static_cast<float>(std::clamp((phi + half) / (2 * half) * nb_ - 0.5, 0.0, nb_ - 1.0));
        fy = static_cast<float>(std::clamp(r / d * ns_ - 0.5, 0.0, ns_ - 1.0));
        sector_mask_.at<uint8_t>(v, u) = 255;
        u_min = std::min(u_min, u), u_max = std::max(u_max, u);
        v_min = std::min(v_min, v), v_max = std::max(v_max, v);
      }
      mapx.at<float>(v, u) = fx;
      mapy.at<float>(v, u) = fy;
    }
  }
  cv::convertMaps(mapx, mapy, map1_, map2_, CV_16SC2);
  if (u_max >= 0) sector_box_ = cv::Rect(u_min, v_min, u_max - u_min + 1, v_max - v_min + 1);
  const int gw = 2 * w + 1, gh = 2 * h + 1;
  label_in_sector_.assign(static_cast<size_t>(gw) * gh, 0);
  for (int gy = 0; gy < gh; ++gy) {
    for (int gx = 0; gx < gw; ++gx) {
      const double x = x0_cm_ + gx * 0.5 * spacing_x_cm_, y = y0_cm_ + gy * 0.5 * spacing_y_cm_;
      const bool in = std::hypot(x, y) <= d && std::fabs(std::atan2(x, y)) <= half;
      label_in_sector_[static_cast<size_t>(gy) * gw + gx] = in ? 1 : 0;
    }
  }
}

cv::Mat EchoRenderer::Compress(std::vector<float>& re, std::vector<float>& im,
                               int frame_index) const {
  Psf(re, ns_, nb_);
  Psf(im, ns_, nb_);
  const uint64_t h = HashCombine(seed_ ^ 0x401eULL, static_cast<uint64_t>(frame_index));
  const ComplexGrid& noise = pool_[(h >> 8) & 1];
  const int oj = static_cast<int>((h >> 16) % nb_), oi = static_cast<int>((h >> 40) % ns_);
  const float g10 = static_cast<float>(10.0 * std::log10(2.0) * acq_.gray_per_db);
  cv::Mat polar(ns_, nb_, CV_8UC1);
  for (int i = 0; i < ns_; ++i) {
    uint8_t* out = polar.ptr<uint8_t>(i);
    for (int j = 0; j < nb_; ++j) {
      const size_t idx = static_cast<size_t>(i) * nb_ + j;
      float nr, ni;
      noise.At(j + oj, i + oi, &nr, &ni);
      const float p = re[idx] * re[idx] + im[idx] * im[idx] + clutter_pow_[idx] +
                      noise_pow_[i] * (nr * nr + ni * ni) + 1e-6f;
      const float v = g10 * FastLog2(p);
      out[j] = static_cast<uint8_t>(std::clamp(v + 0.5f, 0.0f, 255.0f));
    }
  }
  return polar;
}

void EchoRenderer::ApplyDisplay(cv::Mat* polar) const {
  if (acq_.post_blur_samples > 0) {
    cv::GaussianBlur(*polar, *polar, cv::Size(0, 0), acq_.post_blur_samples, 0, cv::BORDER_REFLECT);
  }
  if (!display_lut_.empty()) cv::LUT(*polar, display_lut_, *polar);
}

Frame EchoRenderer::Render(const HeartState& heart, double time_s, int frame_index) const {
  std::vector<float> re(static_cast<size_t>(ns_) * nb_), im(re.size());
  RenderPolar(heart, time_s, frame_index, re.data(), im.data());
  cv::Mat polar = Compress(re, im, frame_index);
  ApplyDisplay(&polar);
  Frame frame;
  cv::remap(polar, frame.image, map1_, map2_, cv::INTER_LINEAR, cv::BORDER_CONSTANT, 0);
  frame.labels = RenderLabels(heart);
  return frame;
}

}  // namespace botm::synth
