// PNG-ready pictures for evaluation reports, drawn with OpenCV only.
// All functions are pure and thread-safe; they return CV_8UC3 BGR images.
#ifndef BOTM_CORE_TRAIN_PLOTS_H_
#define BOTM_CORE_TRAIN_PLOTS_H_

#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace botm::train {

struct Curve {
  std::string name;
  std::vector<double> values;  // y per frame index
  cv::Scalar color;            // BGR
};

// Line plot of curves over frame index with axes, min/max ticks, a title and a legend.
cv::Mat PlotCurves(const std::vector<Curve>& curves, const std::string& title,
                   const std::string& y_label, cv::Size size = cv::Size(720, 360));

// The "matching interpretation" picture: frame a (left) and its partner b (right), each
// scaled to `side_px`, with the token grid of the transport plan and, for every token of a,
// a line to its barycentric image in b (sum_j T_ij pos_j / sum_j T_ij) coloured by the
// token's position. Line width grows with the token's largest plan entry relative to the
// row's mass (a sharp match is thick). plan: rows = grid.area() tokens of a, cols = tokens
// of b, row-major. Tokens are ordered row by row over the grid.
cv::Mat DrawMatching(const cv::Mat& image_a, const cv::Mat& image_b, const std::vector<float>& plan,
                     cv::Size grid, int side_px = 384);

}  // namespace botm::train

#endif  // BOTM_CORE_TRAIN_PLOTS_H_
