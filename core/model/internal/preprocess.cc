#include "core/model/internal/preprocess.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "absl/strings/str_cat.h"

namespace botm {
namespace internal {
namespace {

// FindSectorRegion's cells: about this many across the frame's longer side; the hull grown by
// this many cells.
constexpr int kSectorCells = 128;
constexpr int kRegionMarginCells = 1;
constexpr int kStrongMarginCells = 3;

// First and last index whose count reaches `need`; {-1, -1} if none does.
std::pair<int, int> Span(const std::vector<int>& counts, int need) {
  int first = -1, last = -1;
  for (int i = 0; i < static_cast<int>(counts.size()); ++i) {
    if (counts[i] >= need) {
      if (first < 0) first = i;
      last = i;
    }
  }
  return {first, last};
}

cv::Mat Resize(const cv::Mat& gray01, int size) {
  if (gray01.rows == size && gray01.cols == size) return gray01.clone();
  const bool shrinking = gray01.rows * gray01.cols > size * size;
  cv::Mat resized;
  cv::resize(gray01, resized, cv::Size(size, size), 0, 0,
             shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
  return resized;
}

}  // namespace

cv::Mat ColourOverlays(const cv::Mat& bgr8, const cv::Mat& gray8) {
  constexpr int kBins = 16, kSpan = 511, kMinPixels = 16;
  const int w = bgr8.cols, h = bgr8.rows;
  cv::Mat diff(h, w, CV_16SC2);  // (B - G, R - G)
  bool coloured = false;
  for (int y = 0; y < h; ++y) {
    const cv::Vec3b* p = bgr8.ptr<cv::Vec3b>(y);
    cv::Vec2s* d = diff.ptr<cv::Vec2s>(y);
    for (int x = 0; x < w; ++x) {
      d[x][0] = static_cast<int16_t>(p[x][0] - p[x][1]);
      d[x][1] = static_cast<int16_t>(p[x][2] - p[x][1]);
      coloured |= std::abs(d[x][0]) > kOverlayChroma || std::abs(d[x][1]) > kOverlayChroma;
    }
  }
  if (!coloured) return cv::Mat();
  // The display map: per luminance bin, the median of each difference over non-black pixels.
  std::vector<std::array<int, kSpan>> hist(2 * kBins, std::array<int, kSpan>{});
  std::array<int, kBins> count{};
  for (int y = 0; y < h; ++y) {
    const uint8_t* g = gray8.ptr<uint8_t>(y);
    const cv::Vec2s* d = diff.ptr<cv::Vec2s>(y);
    for (int x = 0; x < w; ++x) {
      if (g[x] < 2) continue;  // black (kSectorThreshold): no display colour to learn
      const int b = g[x] * kBins / 256;
      ++count[b];
      ++hist[2 * b][d[x][0] + 255];
      ++hist[2 * b + 1][d[x][1] + 255];
    }
  }
  std::array<int, 2 * kBins> median{};
  std::array<bool, kBins> known{};
  for (int b = 0; b < kBins; ++b) {
    if (count[b] < kMinPixels) continue;
    known[b] = true;
    for (int k = 0; k < 2; ++k) {
      int seen = 0, v = 0;
      while (2 * (seen + hist[2 * b + k][v]) < count[b]) seen += hist[2 * b + k][v++];
      median[2 * b + k] = v - 255;
    }
  }
  // The map is smooth in brightness; an overlay of one colour can still be most of the pixels of
  // its brightness bin (an ECG line in a bright bin of a frame with little bright tissue). So
  // each bin takes the median of the medians of the kSmooth populated bins nearest to it (itself
  // included when populated; the lower one first on a tie): an overlay bin among tissue bins is
  // outvoted.
  constexpr int kSmooth = 5;
  std::array<int, 2 * kBins> map{};
  for (int b = 0; b < kBins; ++b) {
    std::vector<int> near;
    for (int r = 0; r < kBins && static_cast<int>(near.size()) < kSmooth; ++r) {
      if (b - r >= 0 && known[b - r]) near.push_back(b - r);
      if (r > 0 && b + r < kBins && known[b + r] && static_cast<int>(near.size()) < kSmooth) {
        near.push_back(b + r);
      }
    }
    for (int k = 0; k < 2; ++k) {
      std::vector<int> v;
      for (int n : near) v.push_back(median[2 * n + k]);
      std::sort(v.begin(), v.end());
      map[2 * b + k] = v.empty() ? 0 : v[(v.size() - 1) / 2];
    }
  }
  cv::Mat overlay(h, w, CV_8UC1, cv::Scalar(0));
  for (int y = 0; y < h; ++y) {
    const uint8_t* g = gray8.ptr<uint8_t>(y);
    const cv::Vec2s* d = diff.ptr<cv::Vec2s>(y);
    uint8_t* o = overlay.ptr<uint8_t>(y);
    for (int x = 0; x < w; ++x) {
      const int b = g[x] * kBins / 256;
      const int mb = map[2 * b], mr = map[2 * b + 1];
      if (std::abs(d[x][0] - mb) > kOverlayChroma || std::abs(d[x][1] - mr) > kOverlayChroma) {
        o[x] = 255;
      }
    }
  }
  return overlay;
}

int ColourOverlayWindow(const cv::Mat& image) {
  return 2 * std::max(2, std::max(image.cols, image.rows) / 128) + 1;
}

absl::StatusOr<cv::Mat> ToGray01(const cv::Mat& image) {
  if (image.empty() || image.dims != 2 || image.rows < 8 || image.cols < 8) {
    return absl::InvalidArgumentError("image must be 2-D and at least 8x8 pixels");
  }
  double scale = 0.0;
  if (image.depth() == CV_8U) {
    scale = 1.0 / 255.0;
  } else if (image.depth() == CV_16U) {
    scale = 1.0 / 65535.0;
  } else {
    return absl::InvalidArgumentError("image depth must be CV_8U or CV_16U");
  }
  cv::Mat gray;
  switch (image.channels()) {
    case 1:
      gray = image;
      break;
    case 3:
      cv::cvtColor(image, gray, cv::COLOR_BGR2GRAY);
      break;
    case 4:
      cv::cvtColor(image, gray, cv::COLOR_BGRA2GRAY);
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("image must have 1, 3 or 4 channels, has ", image.channels()));
  }
  cv::Mat gray01;
  gray.convertTo(gray01, CV_32F, scale);
  if (image.channels() == 1) return gray01;
  // Colour overlays out: found on 8-bit copies, filled from the pixels around them.
  cv::Mat bgr8 = image, gray8 = gray;
  if (image.channels() == 4) cv::cvtColor(image, bgr8, cv::COLOR_BGRA2BGR);
  if (image.depth() == CV_16U) {
    bgr8.convertTo(bgr8, CV_8U, 1.0 / 257.0);
    gray.convertTo(gray8, CV_8U, 1.0 / 257.0);
  }
  const cv::Mat overlay = ColourOverlays(bgr8, gray8);
  if (overlay.empty() || cv::countNonZero(overlay) == 0) return gray01;
  cv::Mat valid, sum, weight;
  cv::Mat(overlay == 0).convertTo(valid, CV_32F, 1.0 / 255.0);
  const int k = ColourOverlayWindow(image);
  cv::boxFilter(gray01.mul(valid), sum, CV_32F, cv::Size(k, k), cv::Point(-1, -1), false,
                cv::BORDER_CONSTANT);
  cv::boxFilter(valid, weight, CV_32F, cv::Size(k, k), cv::Point(-1, -1), false,
                cv::BORDER_CONSTANT);
  for (int y = 0; y < gray01.rows; ++y) {
    const uint8_t* o = overlay.ptr<uint8_t>(y);
    const float* s = sum.ptr<float>(y);
    const float* n = weight.ptr<float>(y);
    float* p = gray01.ptr<float>(y);
    for (int x = 0; x < gray01.cols; ++x) {
      if (o[x] != 0) p[x] = n[x] > 0.5f ? s[x] / n[x] : 0.0f;
    }
  }
  return gray01;
}

float SectorCellLevel(const cv::Mat& gray01) {
  constexpr int kBins = 256;
  std::array<int, kBins> count{};
  int n = 0;
  for (int y = 0; y < gray01.rows; ++y) {
    const float* p = gray01.ptr<float>(y);
    for (int x = 0; x < gray01.cols; ++x) {
      if (p[x] > kSectorThreshold) {
        ++count[std::clamp(static_cast<int>(std::lround(p[x] * (kBins - 1))), 0, kBins - 1)];
        ++n;
      }
    }
  }
  int seen = 0, median = 0;
  while (median < kBins - 1 && 2 * (seen + count[median]) < n) seen += count[median++];
  const float level = 0.5f * static_cast<float>(median) / (kBins - 1);
  return std::clamp(level, kSectorThreshold, kMaxSectorCellLevel);
}

// Steps 1-2 of FindSectorRegion on the pixels set in `counted` (CV_8UC1): the convex hull of
// the group of touching cells with the most counted pixels, grown by `margin_cells`, at the
// frame's size; empty when there is one group only (nothing lies apart from the sector).
cv::Mat HullOfLargestGroup(const cv::Mat& counted, int margin_cells) {
  const int w = counted.cols, h = counted.rows;
  // Cells: the frame padded with black to whole cells, block-averaged (INTER_AREA at an
  // integer factor is the exact block mean); a cell counts when it holds any counted pixel.
  const int f = std::max(1, (std::max(w, h) + kSectorCells - 1) / kSectorCells);
  const int cw = (w + f - 1) / f, ch = (h + f - 1) / f;
  cv::Mat padded, cells;
  cv::copyMakeBorder(counted, padded, 0, ch * f - h, 0, cw * f - w, cv::BORDER_CONSTANT, 0);
  cv::resize(padded, cells, cv::Size(cw, ch), 0, 0, cv::INTER_AREA);
  cv::Mat groups;
  const int n = cv::connectedComponents(cells > 0, groups, 8, CV_32S);
  std::vector<double> mass(n, 0.0);
  for (int y = 0; y < ch; ++y) {
    const int* g = groups.ptr<int>(y);
    const uint8_t* c = cells.ptr<uint8_t>(y);
    for (int x = 0; x < cw; ++x) mass[g[x]] += c[x];
  }
  int best = 0;
  for (int i = 1; i < n; ++i) {
    if (best == 0 || mass[i] > mass[best]) best = i;
  }
  if (best == 0 || n <= 2) return cv::Mat();
  std::vector<cv::Point> points, hull;
  cv::findNonZero(groups == best, points);
  cv::convexHull(points, hull);
  cv::Mat hull_cells(ch, cw, CV_8UC1, cv::Scalar(0));
  cv::fillConvexPoly(hull_cells, hull, cv::Scalar(255), cv::LINE_8);
  cv::dilate(hull_cells, hull_cells,
             cv::getStructuringElement(cv::MORPH_RECT,
                                       cv::Size(2 * margin_cells + 1, 2 * margin_cells + 1)));
  cv::Mat full;
  cv::resize(hull_cells, full, cv::Size(cw * f, ch * f), 0, 0, cv::INTER_NEAREST);
  return full(cv::Rect(0, 0, w, h));
}

SectorRegion FindSectorRegion(const cv::Mat& gray01) {
  const int w = gray01.cols, h = gray01.rows;
  const cv::Rect whole(0, 0, w, h);
  cv::Mat bright = gray01 > kSectorThreshold;  // CV_8UC1, 0 or 255
  // 1-2. The sector's region among the bright pixels. Only a region that leaves some bright
  // pixel out matters; the rest is the whole frame.
  cv::Mat region = HullOfLargestGroup(bright, kRegionMarginCells);
  if (!region.empty() && cv::countNonZero(bright & ~region) == 0) region.release();
  if (!region.empty()) {
    // Marks lie apart. The faint ringing a lossy (JPEG) export leaves around every edge can
    // join marks near the sector to it, so the region keeps only what lies near the sector
    // found on the pixels above the cell level (dim tissue at the rim is within the margin).
    const cv::Mat strong_region =
        HullOfLargestGroup(gray01 > SectorCellLevel(gray01), kStrongMarginCells);
    if (!strong_region.empty()) region &= strong_region;
    if (cv::countNonZero(bright & ~region) == 0) {
      region.release();
    } else {
      bright &= region;
    }
  }
  // 3. The box over the sector's bright pixels.
  std::vector<int> rows(h, 0), cols(w, 0);
  for (int y = 0; y < h; ++y) {
    const uint8_t* p = bright.ptr<uint8_t>(y);
    for (int x = 0; x < w; ++x) {
      if (p[x] != 0) ++rows[y], ++cols[x];
    }
  }
  const auto [x0, x1] = Span(cols, std::max(2, h / 50));
  const auto [y0, y1] = Span(rows, std::max(2, w / 50));
  if (x0 < 0 || y0 < 0) return {whole, cv::Mat()};
  const cv::Rect box(x0, y0, x1 - x0 + 1, y1 - y0 + 1);
  if (box.width * 4 < w || box.height * 4 < h) return {whole, cv::Mat()};
  return {box, region};
}

cv::Rect FindSectorBox(const cv::Mat& gray01) { return FindSectorRegion(gray01).box; }

void RankNormalize(cv::Mat* gray01) {
  constexpr int kBins = 1024;
  std::array<int, kBins + 1> below{};  // below[b] = in-sector pixels in bins < b
  std::array<int, kBins> count{};
  int n = 0;
  for (int y = 0; y < gray01->rows; ++y) {
    const float* p = gray01->ptr<float>(y);
    for (int x = 0; x < gray01->cols; ++x) {
      if (p[x] > kSectorThreshold) {
        ++count[std::min(kBins - 1, static_cast<int>(p[x] * kBins))];
        ++n;
      }
    }
  }
  if (n < 64) return;
  for (int b = 0; b < kBins; ++b) below[b + 1] = below[b] + count[b];
  const float inv_n = 1.0f / static_cast<float>(n);
  for (int y = 0; y < gray01->rows; ++y) {
    float* p = gray01->ptr<float>(y);
    for (int x = 0; x < gray01->cols; ++x) {
      if (!(p[x] > kSectorThreshold)) {
        p[x] = 0.0f;
        continue;
      }
      const float pos = std::min(p[x], 1.0f) * kBins;
      const int b = std::min(kBins - 1, static_cast<int>(pos));
      const float frac = pos - static_cast<float>(b);
      p[x] = (static_cast<float>(below[b]) + frac * static_cast<float>(count[b])) * inv_n;
    }
  }
}

PreparedInput PrepareGray01(const cv::Mat& gray01, const InputPolicy& policy) {
  PreparedInput out;
  if (!policy.crop_sector) {
    out.crop = cv::Rect(0, 0, gray01.cols, gray01.rows);
    out.input = Resize(gray01, policy.size);
  } else {
    const SectorRegion sector = FindSectorRegion(gray01);
    out.crop = sector.box;
    if (sector.region.empty()) {
      out.input = Resize(gray01(out.crop), policy.size);
    } else {  // marks burned in beside the sector: black them out
      cv::Mat cropped = gray01(out.crop).clone();
      cropped.setTo(0.0f, sector.region(out.crop) == 0);
      out.input = Resize(cropped, policy.size);
    }
  }
  if (policy.rank_norm) RankNormalize(&out.input);
  return out;
}

absl::StatusOr<PreparedInput> PrepareFrame(const cv::Mat& image, const InputPolicy& policy) {
  absl::StatusOr<cv::Mat> gray01 = ToGray01(image);
  if (!gray01.ok()) return gray01.status();
  return PrepareGray01(*gray01, policy);
}

absl::StatusOr<cv::Mat> PreprocessFrame(const cv::Mat& image, int size) {
  InputPolicy policy;
  policy.size = size;
  absl::StatusOr<PreparedInput> prepared = PrepareFrame(image, policy);
  if (!prepared.ok()) return prepared.status();
  return prepared->input;
}

}  // namespace internal
}  // namespace botm
