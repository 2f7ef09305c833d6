#include "core/tools/resolution_ceiling.h"

#include <opencv2/imgproc.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "core/model/internal/preprocess.h"

namespace botm::tools {

std::vector<GridSpec> ParseGridSpecs(const std::string& text) {
  std::vector<GridSpec> specs;
  for (absl::string_view item : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    std::vector<absl::string_view> parts = absl::StrSplit(item, '/');
    GridSpec s;
    if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &s.input_size) ||
        !absl::SimpleAtoi(parts[1], &s.stride) || s.input_size < 16 || s.stride < 1 ||
        s.input_size % s.stride != 0) {
      return {};
    }
    specs.push_back(s);
  }
  return specs;
}

cv::Mat RoundTrip(const cv::Mat& image, const cv::Mat& labels, const GridSpec& spec) {
  cv::Mat gray01;
  image.convertTo(gray01, CV_32FC1, 1.0 / 255.0);
  const cv::Rect crop =
      spec.crop ? internal::FindSectorBox(gray01) : cv::Rect(0, 0, image.cols, image.rows);
  const cv::Mat region = labels(crop);
  const int grid = spec.input_size / spec.stride;
  cv::Mat best(region.size(), CV_32FC1, cv::Scalar(-1)), arg(region.size(), CV_8UC1, cv::Scalar(0));
  for (int c = 0; c < 4; ++c) {
    cv::Mat onehot, input, coarse, up;
    cv::Mat(region == c).convertTo(onehot, CV_32FC1, 1.0 / 255.0);
    cv::resize(onehot, input, cv::Size(spec.input_size, spec.input_size), 0, 0, cv::INTER_AREA);
    cv::resize(input, coarse, cv::Size(grid, grid), 0, 0, cv::INTER_AREA);
    cv::resize(coarse, up, region.size(), 0, 0, cv::INTER_LINEAR);
    const cv::Mat higher = up > best;
    up.copyTo(best, higher);
    arg.setTo(c, higher);
  }
  cv::Mat out(labels.size(), CV_8UC1, cv::Scalar(0));
  arg.copyTo(out(crop));
  return out;
}

std::array<double, 3> ClassDice(const cv::Mat& a, const cv::Mat& b) {
  std::array<double, 3> d{};
  for (int c = 1; c <= 3; ++c) {
    const double na = cv::countNonZero(a == c), nb = cv::countNonZero(b == c);
    const double both = cv::countNonZero((a == c) & (b == c));
    d[c - 1] = na + nb > 0 ? 2 * both / (na + nb) : 1.0;
  }
  return d;
}

}  // namespace botm::tools
