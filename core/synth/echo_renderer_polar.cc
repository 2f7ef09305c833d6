// The per-sample echo model of EchoRenderer and the supersampled label rasteriser.
#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "core/synth/echo_renderer.h"

namespace botm::synth {
namespace {

constexpr float kPi = 3.14159265f;
constexpr float kDbToAmp = 0.11512925f;  // ln(10) / 20

// Returns atan2(y, x) within 2e-6 rad (odd polynomial on [0, 1], then octants).
float FastAtan2(float y, float x) {
  const float ax = std::fabs(x), ay = std::fabs(y);
  const float mx = std::max(ax, ay), mn = std::min(ax, ay);
  if (mx == 0) return 0;
  const float a = mn / mx, a2 = a * a;
  float r =
      a * (0.99997726f +
           a2 * (-0.33262347f +
                 a2 * (0.19354346f + a2 * (-0.11643287f + a2 * (0.05265332f - a2 * 0.01172120f)))));
  if (ay > ax) r = 1.57079637f - r;
  if (x < 0) r = 3.14159274f - r;
  return y < 0 ? -r : r;
}

bool IsBlood(Tissue t) {
  return t == Tissue::kLvBlood || t == Tissue::kLaBlood || t == Tissue::kRightBlood;
}

// Maps a current position (heart-local s, w) to where that tissue was at end-diastole, blended
// toward no motion away from the heart so the surrounding tissue stays put.
void MaterialPoint(const HeartState& h, float x, float y, float s, float w, float* xr, float* yr) {
  const float s_ref = s <= h.s_mv ? s / h.lambda_l : s + (h.s_mv_ed - h.s_mv);
  const float w_ref = w / h.lambda_w;
  const float qs = (s - 0.5f * h.s_mv_ed) / (0.9f * h.s_mv_ed), qw = w / (2.2f * h.b_ed);
  const float wgt = std::clamp(1.6f - (qs * qs + qw * qw), 0.0f, 1.0f);
  const float hx = h.px + s_ref * h.ux + w_ref * h.vx, hy = h.py + s_ref * h.uy + w_ref * h.vy;
  *xr = x + wgt * (hx - x);
  *yr = y + wgt * (hy - y);
}

}  // namespace

void EchoRenderer::RenderPolar(const HeartState& h, double time_s, int frame_index, float* re,
                               float* im) const {
  // Tissue speckle: consecutive fields blended with cos/sin weights (unit variance throughout).
  const double seg = std::max(0.0, time_s) / acq_.speckle_decorr_s;
  const int k = static_cast<int>(seg);
  const float frac = static_cast<float>(seg - k);
  const float wa = std::cos(frac * kPi / 2), wb = std::sin(frac * kPi / 2);
  const uint64_t ha = HashCombine(seed_, static_cast<uint64_t>(k));
  const uint64_t hb = HashCombine(seed_, static_cast<uint64_t>(k + 1));
  const ComplexGrid& fa = tissue_speckle_[k % 2];
  const ComplexGrid& fb = tissue_speckle_[(k + 1) % 2];
  const float oax = static_cast<float>(ha % 32), oay = static_cast<float>((ha >> 32) % 32);
  const float obx = static_cast<float>(hb % 32), oby = static_cast<float>((hb >> 32) % 32);
  // Blood speckle: redrawn each frame from the pool at a per-frame offset.
  const uint64_t hf = HashCombine(seed_ ^ 0xb100dULL, static_cast<uint64_t>(frame_index));
  const ComplexGrid& blood = pool_[hf & 1];
  const int boj = static_cast<int>((hf >> 8) % (nb_ / 3)),
            boi = static_cast<int>((hf >> 32) % (ns_ / 3));
  const float inv_cell = static_cast<float>(1.0 / field_cell_);
  const float inv_coarse = static_cast<float>(1.0 / coarse_cell_);
  const float inv_fine = static_cast<float>(1.0 / fine_cell_);
  const float fx0 = static_cast<float>(field_x0_), fy0 = static_cast<float>(field_y0_);
  std::vector<float> db_map(static_cast<size_t>(ns_) * nb_);
  for (int i = 0; i < ns_; ++i) {
    const float r = sample_r_[i];
    for (int j = 0; j < nb_; ++j) {
      const size_t idx = static_cast<size_t>(i) * nb_ + j;
      const float x = r * beam_sin_[j], y = r * beam_cos_[j];
      double sd, wd;
      ToLocal(h, x, y, &sd, &wd);
      const float s = static_cast<float>(sd), w = static_cast<float>(wd);
      Label label;
      const Tissue t = TissueAt(h, s, w, &label);
      float db = level_db_[static_cast<int>(t)];
      float cr, ci;
      if (IsBlood(t)) {
        blood.Sample((j + boj) * 0.45f, (i + boi) * 0.45f, &cr, &ci);
      } else {
        float xr, yr;
        MaterialPoint(h, x, y, s, w, &xr, &yr);
        const float gx = (xr - fx0) * inv_cell, gy = (yr - fy0) * inv_cell;
        float ar, ai, br, bi;
        fa.Sample(gx + oax, gy + oay, &ar, &ai);
        fb.Sample(gx + obx, gy + oby, &br, &bi);
        cr = wa * ar + wb * br;
        ci = wa * ai + wb * bi;
        const float fine = fine_.Sample((xr - fx0) * inv_fine, (yr - fy0) * inv_fine);
        if (t == Tissue::kMyocardium || t == Tissue::kPericardium) {
          db += fine * static_cast<float>(acq_.myo_fine_db);
          // Specular walls parallel to the beam return little echo (angle-dependent dropout).
          const float ns = (s - h.s_c) * h.inv_ae2, nw = w * h.inv_be2;
          const float nx = ns * h.ux + nw * h.vx, ny = ns * h.uy + nw * h.vy;
          const float c = std::fabs(nx * beam_sin_[j] + ny * beam_cos_[j]) /
                          std::sqrt(nx * nx + ny * ny + 1e-12f);
          db -= static_cast<float>(acq_.dropout_angle_db) * (1 - c) * (1 - c);
          const float psi = FastAtan2(w / h.b_e, (s - h.s_c) / h.a_e);
          const float pos = (psi + kPi) / (2 * kPi) * kWallProfileBins - 0.5f;
          const int b0 = static_cast<int>(std::floor(pos));
          const float bf = pos - b0;
          const int i0 = (b0 + kWallProfileBins) % kWallProfileBins;
          const int i1 = (b0 + 1 + kWallProfileBins) % kWallProfileBins;
          db += (1 - bf) * acq_.wall_profile_db[i0] + bf * acq_.wall_profile_db[i1];
        } else {
          const float coarse = coarse_.Sample((xr - fx0) * inv_coarse, (yr - fy0) * inv_coarse);
          db += coarse * static_cast<float>(acq_.tissue_coarse_db) +
                fine * static_cast<float>(acq_.tissue_fine_db);
        }
      }
      db_map[idx] = db;
      re[idx] = cr;
      im[idx] = ci;
    }
  }
  if (acq_.border_soften_samples > 0) {
    // Soft borders: the echogenicity map is blurred, the speckle is not.
    cv::Mat db_mat(ns_, nb_, CV_32FC1, db_map.data());
    cv::GaussianBlur(db_mat, db_mat, cv::Size(0, 0), acq_.border_soften_samples, 0,
                     cv::BORDER_REPLICATE);
  }
  const size_t n = db_map.size();
  for (size_t idx = 0; idx < n; ++idx) {
    const float amp = std::exp(db_map[idx] * kDbToAmp) * gain_[idx] * speckle_norm_;
    re[idx] = amp * re[idx];
    im[idx] = amp * im[idx];
  }
}

cv::Mat EchoRenderer::RenderLabels(const HeartState& h) const {
  const int w = sector_.width, hgt = sector_.height, gw = 2 * w + 1;
  // Returns the label at supersampling node (gx, gy) of the (2W+1) x (2H+1) half-pixel grid.
  auto node = [&](int gx, int gy) -> int {
    if (!label_in_sector_[static_cast<size_t>(gy) * gw + gx]) return kBackground;
    double s, wl;
    ToLocal(h, x0_cm_ + gx * 0.5 * spacing_x_cm_, y0_cm_ + gy * 0.5 * spacing_y_cm_, &s, &wl);
    return LabelAt(h, s, wl);
  };
  cv::Mat centers(hgt, w, CV_8UC1);
  for (int v = 0; v < hgt; ++v) {
    uint8_t* row = centers.ptr<uint8_t>(v);
    for (int u = 0; u < w; ++u) row[u] = static_cast<uint8_t>(node(2 * u + 1, 2 * v + 1));
  }
  // Pixels whose 8 neighbours share their centre label keep it; the others are resolved by a
  // tent-weighted vote over 3x3 sub-samples (centre 4, edges 2, corners 1).
  static constexpr int kWeights[3][3] = {{1, 2, 1}, {2, 4, 2}, {1, 2, 1}};
  cv::Mat labels = centers.clone();
  for (int v = 0; v < hgt; ++v) {
    for (int u = 0; u < w; ++u) {
      const uint8_t c = centers.at<uint8_t>(v, u);
      bool uniform = true;
      for (int dv = -1; dv <= 1 && uniform; ++dv) {
        for (int du = -1; du <= 1; ++du) {
          const int vv = std::clamp(v + dv, 0, hgt - 1), uu = std::clamp(u + du, 0, w - 1);
          if (centers.at<uint8_t>(vv, uu) != c) {
            uniform = false;
            break;
          }
        }
      }
      if (uniform) continue;
      int votes[kNumClasses] = {0, 0, 0, 0};
      for (int dy = 0; dy < 3; ++dy) {
        for (int dx = 0; dx < 3; ++dx) votes[node(2 * u + dx, 2 * v + dy)] += kWeights[dy][dx];
      }
      int best = c;
      for (int k = 0; k < kNumClasses; ++k) {
        if (votes[k] > votes[best]) best = k;
      }
      labels.at<uint8_t>(v, u) = static_cast<uint8_t>(best);
    }
  }
  return labels;
}

}  // namespace botm::synth
