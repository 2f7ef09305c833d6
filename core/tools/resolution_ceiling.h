// The resolution ceiling of a model input size and decoder stride: how well the ground truth
// itself survives the trip through the model's grids. Each frame's one-hot labels are (optionally
// cropped to the sector box, as the input policy does), area-averaged to the input size, then to
// the decoder grid (input / stride), bilinearly upsampled back and arg-maxed; the Dice of that
// against the full-resolution truth bounds what any network at that size and stride can reach.
// Thread-safety: stateless functions.
#ifndef BOTM_CORE_TOOLS_RESOLUTION_CEILING_H_
#define BOTM_CORE_TOOLS_RESOLUTION_CEILING_H_

#include <array>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace botm::tools {

struct GridSpec {
  int input_size = 128;  // model input side in pixels
  int stride = 4;        // decoder stride (prediction grid = input_size / stride)
  bool crop = true;      // crop to the sector box first (input policy crop_sector)
};

// Parses "128/4,192/4,128/2" (input/stride) with crop on; empty list on a bad entry.
std::vector<GridSpec> ParseGridSpecs(const std::string& text);

// Labels (CV_8UC1, classes 0..3) after the round trip through `spec`'s grids; `image` locates
// the sector for the crop.
cv::Mat RoundTrip(const cv::Mat& image, const cv::Mat& labels, const GridSpec& spec);

// Dice of classes 1..3 between two label maps (1 when both lack the class).
std::array<double, 3> ClassDice(const cv::Mat& a, const cv::Mat& b);

}  // namespace botm::tools

#endif  // BOTM_CORE_TOOLS_RESOLUTION_CEILING_H_
