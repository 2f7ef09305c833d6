#include "core/train/preview.h"

#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "absl/strings/str_cat.h"
#include "core/image/overlay.h"

namespace botm::train {

absl::Status WriteTrainingPreview(const PairSource& source, const AugmentOptions& augment,
                                  uint64_t seed, int pairs, const std::string& png_path) {
  absl::StatusOr<Batch> batch = MakeBatch(source, augment, seed, 0, pairs);
  if (!batch.ok()) return batch.status();
  const int s = batch->size_px, plane = s * s;
  std::vector<cv::Mat> rows;
  for (int i = 0; i < pairs; ++i) {
    std::vector<cv::Mat> tiles;
    for (int f = 0; f < 2; ++f) {
      const std::vector<float>& images = f == 0 ? batch->images_a : batch->images_b;
      const std::vector<uint8_t>& labels = f == 0 ? batch->labels_a : batch->labels_b;
      cv::Mat gray;
      cv::Mat(s, s, CV_32FC1, const_cast<float*>(images.data()) + i * plane)
          .convertTo(gray, CV_8UC1, 255.0);
      const cv::Mat lab(s, s, CV_8UC1, const_cast<uint8_t*>(labels.data()) + i * plane);
      cv::Mat bgr;
      cv::cvtColor(gray, bgr, cv::COLOR_GRAY2BGR);
      tiles.push_back(bgr);
      tiles.push_back(image::RenderOverlay(gray, lab));
    }
    cv::Mat row;
    cv::hconcat(tiles, row);
    rows.push_back(row);
  }
  cv::Mat grid;
  cv::vconcat(rows, grid);
  if (!cv::imwrite(png_path, grid)) {
    return absl::InternalError(absl::StrCat("cannot write ", png_path));
  }
  return absl::OkStatus();
}

}  // namespace botm::train
