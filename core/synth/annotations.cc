#include "core/synth/annotations.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include <opencv2/imgproc.hpp>

namespace botm::synth {
namespace {

constexpr int kFont = cv::FONT_HERSHEY_SIMPLEX;

std::string Format(const char* fmt, double a, double b = 0, double c = 0) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), fmt, a, b, c);
  return buf;
}

// One settings line of the kind scanners print beside the image.
std::string SettingsLine(Rng& rng, double depth_cm, double fps, double hr) {
  switch (rng.UniformInt(0, 9)) {
    case 0:
      return Format("HR %.0f bpm", std::round(hr));
    case 1:
      return Format("%.1f cm", depth_cm);
    case 2:
      return Format("FR %.0f Hz", std::round(fps));
    case 3:
      return Format("G %.0f  DR %.0f", rng.UniformInt(30, 80), rng.UniformInt(45, 90));
    case 4:
      return Format("P %.0f%%  2D", rng.UniformInt(60, 100));
    case 5:
      return Format("MI %.1f  TIS %.1f", rng.Uniform(0.6, 1.4), rng.Uniform(0.1, 1.2));
    case 6:
      return Format("%02.0f:%02.0f:%02.0f", rng.UniformInt(0, 23), rng.UniformInt(0, 59),
                    rng.UniformInt(0, 59));
    case 7:
      return rng.Bernoulli(0.5) ? "Apical 4C" : "Apical 2C";
    case 8:
      return Format("M%.0fS  %.1f MHz", rng.UniformInt(3, 5), rng.Uniform(1.5, 3.5));
    default:
      return Format("ECHO %.0f  Res", rng.UniformInt(1, 9));
  }
}

// A stylised ECG beat at phase p in [0, 1): P, Q, R, S and T waves as Gaussian bumps, the
// sum-of-Gaussians form of McSharry et al., IEEE TBME 2003 (amplitudes relative to R).
double EcgBeat(double p) {
  auto bump = [p](double centre, double width, double amp) {
    const double z = (p - centre) / width;
    return amp * std::exp(-z * z);
  };
  return bump(0.15, 0.025, 0.12) + bump(0.27, 0.008, -0.10) + bump(0.30, 0.010, 1.0) +
         bump(0.33, 0.010, -0.22) + bump(0.55, 0.050, 0.30);
}

// The sweeping ECG of a live display, as polylines across a frame `w` pixels wide at time
// now_s: the cursor at x_c; left of it this pass, right of it (after a blank gap) the previous
// pass, one screen width earlier.
std::vector<std::vector<cv::Point>> EcgRuns(int w, int baseline_y, int amplitude_px,
                                            double speed_px_per_s, double heart_rate_bpm,
                                            double now_s) {
  std::vector<std::vector<cv::Point>> runs;
  if (speed_px_per_s <= 0) return runs;
  const int cursor = static_cast<int>(std::fmod(now_s * speed_px_per_s, static_cast<double>(w)));
  const int blank = std::max(2, w / 40);
  std::vector<cv::Point> run;
  auto flush = [&]() {
    if (run.size() > 1) runs.push_back(run);
    run.clear();
  };
  for (int x = 0; x < w; ++x) {
    const int behind = x <= cursor ? cursor - x : cursor - x + w;
    if (behind > w - blank) {  // the blank gap just ahead of the cursor
      flush();
      continue;
    }
    if (x == cursor + 1) flush();  // the jump between this pass and the previous one
    const double s = now_s - behind / speed_px_per_s;
    const double beats = s * heart_rate_bpm / 60.0;
    const double p = beats - std::floor(beats);
    run.emplace_back(x, baseline_y - static_cast<int>(std::lround(amplitude_px * EcgBeat(p))));
  }
  flush();
  return runs;
}

// A saturated overlay colour (BGR) at 70-100 % brightness.
cv::Vec3b OverlayColour(Rng& rng) {
  static constexpr int kHues[5][3] = {
      {0, 255, 0}, {0, 255, 255}, {255, 255, 0}, {0, 165, 255}, {255, 0, 255}};
  const int* hue = kHues[rng.UniformInt(0, 4)];
  const double v = rng.Uniform(0.7, 1.0);
  return cv::Vec3b(static_cast<uint8_t>(std::lround(hue[0] * v)),
                   static_cast<uint8_t>(std::lround(hue[1] * v)),
                   static_cast<uint8_t>(std::lround(hue[2] * v)));
}

}  // namespace

AnnotationLayout SampleAnnotations(Rng& rng, const cv::Mat& sector_mask, double depth_cm,
                                   double spacing_y_mm, double fps, double heart_rate_bpm,
                                   bool touching) {
  AnnotationLayout a;
  const int w = sector_mask.cols, h = sector_mask.rows;
  const int drawn_gap = std::max(1, static_cast<int>(std::lround(w * rng.Uniform(0.02, 0.05))));
  const int gap = touching ? 0 : drawn_gap;
  // The grey bar is placed against the drawn gap in both modes (its draws depend on whether it
  // fits), so `touching` keeps the layout's random stream; it only lets marks reach the sector.
  cv::Mat near_sector;
  cv::dilate(
      sector_mask, near_sector,
      cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(2 * drawn_gap + 1, 2 * drawn_gap + 1)));
  a.allowed = (touching ? sector_mask : near_sector) == 0;
  std::vector<cv::Point> inside;
  cv::findNonZero(sector_mask, inside);
  const cv::Rect box = inside.empty() ? cv::Rect(0, 0, w, h) : cv::boundingRect(inside);
  const int margin = std::max(1, w / 100);

  // Text: a block in the top-left corner, one in the top-right, sometimes a line at the bottom.
  const double text_h = h * rng.Uniform(0.018, 0.03);
  int baseline = 0;
  const double scale = text_h / cv::getTextSize("H", kFont, 1.0, 1, &baseline).height;
  const int thickness = w >= 384 && rng.Bernoulli(0.5) ? 2 : 1;
  const int gray = rng.UniformInt(170, 255);
  const int line_step = static_cast<int>(std::lround(text_h * rng.Uniform(1.5, 2.0)));
  const int left_lines = rng.UniformInt(2, 5), right_lines = rng.UniformInt(1, 4);
  for (int i = 0; i < left_lines + right_lines; ++i) {
    AnnotationText t;
    t.text = SettingsLine(rng, depth_cm, fps, heart_rate_bpm);
    t.font_scale = scale;
    t.thickness = thickness;
    t.gray = gray;
    const int row = margin + static_cast<int>(std::lround(text_h)) +
                    (i < left_lines ? i : i - left_lines) * line_step;
    const int width = cv::getTextSize(t.text, kFont, scale, thickness, &baseline).width;
    t.origin = cv::Point(i < left_lines ? margin : w - margin - width, row);
    a.texts.push_back(t);
  }
  if (rng.Bernoulli(0.5)) {
    AnnotationText t;
    t.text = SettingsLine(rng, depth_cm, fps, heart_rate_bpm);
    t.font_scale = scale;
    t.thickness = thickness;
    t.gray = gray;
    t.origin = cv::Point(margin, h - margin - static_cast<int>(std::lround(0.15 * h)));
    a.texts.push_back(t);
  }

  // The grey-scale bar, only where it clears the sector and its gap.
  if (rng.Bernoulli(0.6)) {
    const int bw = std::max(3, static_cast<int>(std::lround(w * rng.Uniform(0.015, 0.03))));
    const int bh = static_cast<int>(std::lround(h * rng.Uniform(0.2, 0.4)));
    const int by = static_cast<int>(std::lround(h * rng.Uniform(0.1, 0.4)));
    const int bx = rng.Bernoulli(0.5) ? margin : w - margin - bw;
    const cv::Rect bar(bx, by, bw, bh);
    if ((bar & cv::Rect(0, 0, w, h)) == bar && cv::countNonZero(near_sector(bar)) == 0) {
      a.gray_bar = bar;
      a.gray_bar_rising = rng.Bernoulli(0.5);
    }
  }

  // Depth ticks, one per centimetre, beside the sector's left or right edge.
  if (rng.Bernoulli(0.8) && spacing_y_mm > 0) {
    const bool left = rng.Bernoulli(0.5);
    const int len = std::max(2, w / 80), th = std::max(1, w / 256);
    const double step_px = 10.0 / spacing_y_mm;
    for (int cm = 1; box.y + cm * step_px < box.br().y; ++cm) {
      const int y = box.y + static_cast<int>(std::lround(cm * step_px));
      const uint8_t* row = sector_mask.ptr<uint8_t>(y);
      int first = -1, last = -1;  // the sector's extent in this row
      for (int x = 0; x < w; ++x) {
        if (row[x] == 0) continue;
        if (first < 0) first = x;
        last = x;
      }
      if (first < 0) continue;
      const int x0 = left ? first - gap - len : last + gap + 1;
      if (x0 >= 0 && x0 + len <= w) a.ticks.emplace_back(x0, std::max(0, y - th / 2), len, th);
    }
  }

  // The orientation marker beside the apex.
  if (rng.Bernoulli(0.7)) {
    a.marker_radius = std::max(2, static_cast<int>(std::lround(w * rng.Uniform(0.008, 0.015))));
    const int side = rng.Bernoulli(0.5) ? -1 : 1;
    a.marker =
        cv::Point(box.x + box.width / 2 + side * static_cast<int>(w * rng.Uniform(0.08, 0.2)),
                  box.y + a.marker_radius + margin);
    a.marker_gray = rng.UniformInt(150, 255);
  }

  // The ECG along the bottom, as a live display sweeps it.
  if (rng.Bernoulli(0.7)) {
    a.ecg = true;
    a.ecg_baseline_y = static_cast<int>(std::lround(h * rng.Uniform(0.9, 0.95)));
    a.ecg_amplitude_px = std::max(3, static_cast<int>(std::lround(h * rng.Uniform(0.03, 0.06))));
    a.ecg_thickness = rng.UniformInt(1, std::clamp(w / 192, 1, 3));
    a.ecg_gray = rng.UniformInt(150, 255);
    a.ecg_sweep_px_per_s = w / rng.Uniform(2.0, 4.0);
    a.heart_rate_bpm = heart_rate_bpm;
  }
  return a;
}

void DrawAnnotations(const AnnotationLayout& a, int t, double fps, cv::Mat* image) {
  const int w = image->cols, h = image->rows;
  cv::Mat canvas(h, w, CV_8UC1, cv::Scalar(0));
  for (const AnnotationText& text : a.texts) {
    cv::putText(canvas, text.text, text.origin, kFont, text.font_scale, cv::Scalar(text.gray),
                text.thickness, cv::LINE_8);
  }
  if (!a.gray_bar.empty()) {
    for (int y = 0; y < a.gray_bar.height; ++y) {
      const double f = a.gray_bar.height > 1 ? static_cast<double>(y) / (a.gray_bar.height - 1) : 0;
      const int v = static_cast<int>(std::lround(255 * (a.gray_bar_rising ? 1 - f : f)));
      canvas(cv::Rect(a.gray_bar.x, a.gray_bar.y + y, a.gray_bar.width, 1)).setTo(std::max(v, 8));
    }
  }
  for (const cv::Rect& tick : a.ticks) canvas(tick & cv::Rect(0, 0, w, h)).setTo(230);
  if (a.marker_radius > 0) {
    cv::circle(canvas, a.marker, a.marker_radius, cv::Scalar(a.marker_gray), cv::FILLED,
               cv::LINE_8);
  }
  if (a.ecg && fps > 0) {
    cv::polylines(canvas,
                  EcgRuns(w, a.ecg_baseline_y, a.ecg_amplitude_px, a.ecg_sweep_px_per_s,
                          a.heart_rate_bpm, t / fps),
                  false, cv::Scalar(a.ecg_gray), a.ecg_thickness, cv::LINE_8);
  }
  canvas.copyTo(*image, a.allowed & (canvas > 0));
}

ColourExport SampleColourExport(Rng& rng, const cv::Mat& sector_mask, double heart_rate_bpm) {
  ColourExport c;
  const int w = sector_mask.cols;
  std::vector<cv::Point> inside;
  cv::findNonZero(sector_mask, inside);
  const cv::Rect box =
      inside.empty() ? cv::Rect(0, 0, w, sector_mask.rows) : cv::boundingRect(inside);
  // Half the clips tinted: sepia / bronze (red strongest) or blue (blue strongest).
  if (rng.Bernoulli(0.5)) {
    const float a = static_cast<float>(rng.Uniform(0.75, 0.95));
    const float b = static_cast<float>(rng.Uniform(0.5, a));
    c.tint = rng.Bernoulli(0.7) ? cv::Vec3f(b, a, 1.0f) : cv::Vec3f(1.0f, a, b);
  }
  // The ECG across the far field: baseline in the sector box's last 5-20 % rows.
  c.ecg_baseline_y = box.y + static_cast<int>(std::lround(box.height * rng.Uniform(0.8, 0.95)));
  c.ecg_amplitude_px =
      std::max(3, static_cast<int>(std::lround(box.height * rng.Uniform(0.04, 0.08))));
  c.ecg_thickness = rng.UniformInt(1, std::clamp(w / 192, 1, 3));
  c.ecg_sweep_px_per_s = w / rng.Uniform(2.0, 4.0);
  c.heart_rate_bpm = heart_rate_bpm;
  c.ecg_bgr = OverlayColour(rng);
  // Calipers: two points inside the sector, a quarter to half of its height apart.
  if (rng.Bernoulli(0.7) && !inside.empty()) {
    for (int attempt = 0; attempt < 32; ++attempt) {
      const cv::Point a = inside[rng.UniformInt(0, static_cast<int>(inside.size()) - 1)];
      const double angle = rng.Uniform(0, 2 * 3.14159265358979323846);
      const double len = box.height * rng.Uniform(0.25, 0.5);
      const cv::Point b(a.x + static_cast<int>(std::lround(len * std::cos(angle))),
                        a.y + static_cast<int>(std::lround(len * std::sin(angle))));
      if (b.x < 0 || b.y < 0 || b.x >= w || b.y >= sector_mask.rows) continue;
      if (sector_mask.at<uint8_t>(b) == 0) continue;
      c.caliper_a = a;
      c.caliper_b = b;
      c.caliper_arm_px = std::max(2, w / 64);
      c.caliper_thickness = w >= 384 ? 2 : 1;
      c.caliper_bgr = OverlayColour(rng);
      break;
    }
  }
  return c;
}

void DrawColourExport(const ColourExport& c, const cv::Mat& sector_mask, int t, double fps,
                      cv::Mat* image) {
  cv::Mat bgr;
  cv::cvtColor(*image, bgr, cv::COLOR_GRAY2BGR);
  if (c.tint != cv::Vec3f(1.0f, 1.0f, 1.0f)) {
    for (int y = 0; y < bgr.rows; ++y) {
      const uint8_t* m = sector_mask.ptr<uint8_t>(y);
      const uint8_t* g = image->ptr<uint8_t>(y);
      cv::Vec3b* p = bgr.ptr<cv::Vec3b>(y);
      for (int x = 0; x < bgr.cols; ++x) {
        if (m[x] == 0) continue;
        for (int k = 0; k < 3; ++k) {
          p[x][k] = static_cast<uint8_t>(std::lround(g[x] * c.tint[k]));
        }
      }
    }
  }
  const cv::Scalar ecg(c.ecg_bgr[0], c.ecg_bgr[1], c.ecg_bgr[2]);
  if (fps > 0) {
    cv::polylines(bgr,
                  EcgRuns(bgr.cols, c.ecg_baseline_y, c.ecg_amplitude_px, c.ecg_sweep_px_per_s,
                          c.heart_rate_bpm, t / fps),
                  false, ecg, c.ecg_thickness, cv::LINE_8);
  }
  if (c.caliper_arm_px > 0) {
    const cv::Scalar col(c.caliper_bgr[0], c.caliper_bgr[1], c.caliper_bgr[2]);
    const int arm = c.caliper_arm_px, th = c.caliper_thickness;
    for (const cv::Point& p : {c.caliper_a, c.caliper_b}) {
      cv::line(bgr, p - cv::Point(arm, 0), p + cv::Point(arm, 0), col, th, cv::LINE_8);
      cv::line(bgr, p - cv::Point(0, arm), p + cv::Point(0, arm), col, th, cv::LINE_8);
    }
    // The dotted line: a dot every 3 arm lengths / 2.
    const cv::Point2d d = cv::Point2d(c.caliper_b - c.caliper_a);
    const double len = std::sqrt(d.dot(d));
    const int dots = static_cast<int>(len / std::max(3.0, 1.5 * arm));
    for (int i = 1; i < dots; ++i) {
      const double f = static_cast<double>(i) / dots;
      const cv::Point q(c.caliper_a.x + static_cast<int>(std::lround(f * d.x)),
                        c.caliper_a.y + static_cast<int>(std::lround(f * d.y)));
      cv::circle(bgr, q, th, col, cv::FILLED, cv::LINE_8);
    }
  }
  *image = bgr;
}

}  // namespace botm::synth
