#include "core/image/gif_palette.h"

#include <cmath>
#include <vector>

namespace botm::image {
namespace {

constexpr int kCubeLevels = 6;
constexpr int kCubeStep = 51;  // 255 / (kCubeLevels - 1)
constexpr int kCubeSize = kCubeLevels * kCubeLevels * kCubeLevels;
constexpr int kExtraGraysPerGap = 8;

struct Tables {
  std::array<cv::Vec3b, 256> palette;
  // Nearest gray palette index for each channel sum r + g + b (0..765).
  std::array<uint8_t, 766> gray_by_sum;
};

Tables BuildTables() {
  Tables t;
  for (int r = 0; r < kCubeLevels; ++r) {
    for (int g = 0; g < kCubeLevels; ++g) {
      for (int b = 0; b < kCubeLevels; ++b) {
        t.palette[36 * r + 6 * g + b] =
            cv::Vec3b(static_cast<uint8_t>(b * kCubeStep), static_cast<uint8_t>(g * kCubeStep),
                      static_cast<uint8_t>(r * kCubeStep));
      }
    }
  }
  std::vector<std::pair<int, int>> grays;  // (level, palette index)
  for (int k = 0; k < kCubeLevels; ++k) grays.emplace_back(k * kCubeStep, 43 * k);  // cube grays
  int index = kCubeSize;
  for (int gap = 0; gap + 1 < kCubeLevels; ++gap) {
    for (int j = 1; j <= kExtraGraysPerGap; ++j) {
      const int level = static_cast<int>(
          std::lround(kCubeStep * (gap + static_cast<double>(j) / (kExtraGraysPerGap + 1))));
      const auto v = static_cast<uint8_t>(level);
      t.palette[index] = cv::Vec3b(v, v, v);
      grays.emplace_back(level, index++);
    }
  }
  for (int sum = 0; sum <= 765; ++sum) {
    double best = 1e9;
    for (const auto& [level, idx] : grays) {
      const double d = std::abs(sum / 3.0 - level);
      if (d < best) {
        best = d;
        t.gray_by_sum[sum] = static_cast<uint8_t>(idx);
      }
    }
  }
  return t;
}

const Tables& GetTables() {
  static const Tables tables = BuildTables();
  return tables;
}

int SquaredDistance(const cv::Vec3b& a, const cv::Vec3b& b) {
  const int d0 = a[0] - b[0], d1 = a[1] - b[1], d2 = a[2] - b[2];
  return d0 * d0 + d1 * d1 + d2 * d2;
}

}  // namespace

const std::array<cv::Vec3b, 256>& GifPalette() { return GetTables().palette; }

uint8_t NearestPaletteIndex(const cv::Vec3b& bgr) {
  const Tables& t = GetTables();
  // Each cube axis is independent, so rounding each channel gives the nearest cube point.
  const int b = (bgr[0] + kCubeStep / 2) / kCubeStep;
  const int g = (bgr[1] + kCubeStep / 2) / kCubeStep;
  const int r = (bgr[2] + kCubeStep / 2) / kCubeStep;
  const uint8_t cube = static_cast<uint8_t>(36 * r + 6 * g + b);
  // The nearest gray minimises sum (c - level)^2, i.e. the level nearest to the mean.
  const uint8_t gray = t.gray_by_sum[bgr[0] + bgr[1] + bgr[2]];
  return SquaredDistance(bgr, t.palette[gray]) < SquaredDistance(bgr, t.palette[cube]) ? gray
                                                                                       : cube;
}

cv::Mat MapToPalette(const cv::Mat& bgr) {
  CV_Assert(bgr.type() == CV_8UC3);
  cv::Mat out(bgr.size(), CV_8UC1);
  for (int y = 0; y < bgr.rows; ++y) {
    const cv::Vec3b* in = bgr.ptr<cv::Vec3b>(y);
    uint8_t* o = out.ptr<uint8_t>(y);
    for (int x = 0; x < bgr.cols; ++x) o[x] = NearestPaletteIndex(in[x]);
  }
  return out;
}

}  // namespace botm::image
