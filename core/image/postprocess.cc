#include "core/image/postprocess.h"

#include <algorithm>

#include <opencv2/imgproc.hpp>

namespace botm::image {
namespace {

// Sets every pixel of `label` outside its largest 8-connected component to background.
void KeepLargestComponent(cv::Mat* labels, uint8_t label) {
  cv::Mat binary = (*labels == label);
  cv::Mat components, stats, centroids;
  const int n = cv::connectedComponentsWithStats(binary, components, stats, centroids, 8, CV_32S);
  if (n <= 2) return;  // background plus at most one component
  int largest = 1;
  for (int i = 2; i < n; ++i) {
    if (stats.at<int>(i, cv::CC_STAT_AREA) > stats.at<int>(largest, cv::CC_STAT_AREA)) largest = i;
  }
  for (int y = 0; y < labels->rows; ++y) {
    uint8_t* row = labels->ptr<uint8_t>(y);
    const int* comp = components.ptr<int>(y);
    for (int x = 0; x < labels->cols; ++x) {
      if (comp[x] != 0 && comp[x] != largest) row[x] = 0;
    }
  }
}

bool TouchesBorder(const cv::Mat& stats, int i, cv::Size size) {
  const int left = stats.at<int>(i, cv::CC_STAT_LEFT);
  const int top = stats.at<int>(i, cv::CC_STAT_TOP);
  return left == 0 || top == 0 || left + stats.at<int>(i, cv::CC_STAT_WIDTH) == size.width ||
         top + stats.at<int>(i, cv::CC_STAT_HEIGHT) == size.height;
}

// Fills enclosed background regions with the class most frequent along their boundary.
void FillHoles(cv::Mat* labels) {
  cv::Mat background = (*labels == 0);
  cv::Mat components, stats, centroids;
  const int n =
      cv::connectedComponentsWithStats(background, components, stats, centroids, 4, CV_32S);
  std::vector<bool> enclosed(n, false);
  bool any = false;
  for (int i = 1; i < n; ++i) {
    enclosed[i] = !TouchesBorder(stats, i, labels->size());
    any = any || enclosed[i];
  }
  if (!any) return;
  // votes[i][c]: boundary contacts of region i with class c (4-neighbourhood).
  std::vector<std::array<int64_t, kNumClasses>> votes(n, std::array<int64_t, kNumClasses>{});
  const int dx[4] = {1, -1, 0, 0}, dy[4] = {0, 0, 1, -1};
  for (int y = 0; y < labels->rows; ++y) {
    for (int x = 0; x < labels->cols; ++x) {
      const int c = components.at<int>(y, x);
      if (c == 0 || !enclosed[c]) continue;
      for (int k = 0; k < 4; ++k) {  // enclosed regions never reach the border
        const uint8_t v = labels->at<uint8_t>(y + dy[k], x + dx[k]);
        if (v != 0 && v < kNumClasses) ++votes[c][v];
      }
    }
  }
  std::vector<uint8_t> fill(n, 0);  // stays background when no class 1..3 surrounds it
  for (int i = 1; i < n; ++i) {
    if (!enclosed[i]) continue;
    for (uint8_t c = 1; c < kNumClasses; ++c) {
      if (votes[i][c] > votes[i][fill[i]]) fill[i] = c;
    }
  }
  for (int y = 0; y < labels->rows; ++y) {
    uint8_t* row = labels->ptr<uint8_t>(y);
    const int* comp = components.ptr<int>(y);
    for (int x = 0; x < labels->cols; ++x) {
      if (comp[x] != 0 && enclosed[comp[x]]) row[x] = fill[comp[x]];
    }
  }
}

}  // namespace

const char* ClassName(uint8_t label) {
  return label < kNumClasses ? botm::kClassNames[label] : "unknown";
}

cv::Mat CleanupLabels(const cv::Mat& labels, const CleanupOptions& options) {
  CV_Assert(labels.empty() || labels.type() == CV_8UC1);
  cv::Mat out = labels.clone();
  if (out.empty()) return out;
  // Works on the foreground's bounding box plus a 1-pixel margin: the margin is background
  // connected to everything outside, so "touches the border" keeps its meaning there.
  const cv::Rect box = cv::boundingRect(out);
  if (box.empty()) return out;
  const cv::Rect roi =
      (box + cv::Point(-1, -1) + cv::Size(2, 2)) & cv::Rect(cv::Point(), out.size());
  cv::Mat view = out(roi);
  if (options.largest_component) {
    for (uint8_t label = 1; label < kNumClasses; ++label) KeepLargestComponent(&view, label);
  }
  if (options.fill_holes) FillHoles(&view);
  return out;
}

std::vector<std::vector<cv::Point>> ClassContours(const cv::Mat& labels, uint8_t label) {
  std::vector<std::vector<cv::Point>> raw;
  if (labels.empty()) return raw;
  cv::Mat binary = (labels == label);
  cv::findContours(binary, raw, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_NONE);
  std::vector<std::pair<double, size_t>> order;
  for (size_t i = 0; i < raw.size(); ++i) order.emplace_back(-cv::contourArea(raw[i]), i);
  std::stable_sort(order.begin(), order.end());
  std::vector<std::vector<cv::Point>> out;
  out.reserve(raw.size());
  for (const auto& [neg_area, i] : order) {
    std::vector<cv::Point> simplified;
    cv::approxPolyDP(raw[i], simplified, 1.0, /*closed=*/true);
    out.push_back(std::move(simplified));
  }
  return out;
}

std::array<int64_t, kNumClasses> CountLabels(const cv::Mat& labels) {
  CV_Assert(labels.empty() || labels.type() == CV_8UC1);
  std::array<int64_t, kNumClasses> counts{};
  for (int y = 0; y < labels.rows; ++y) {
    const uint8_t* row = labels.ptr<uint8_t>(y);
    for (int x = 0; x < labels.cols; ++x) {
      if (row[x] < kNumClasses) ++counts[row[x]];
    }
  }
  return counts;
}

}  // namespace botm::image
