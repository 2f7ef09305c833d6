// Colour overlays of label masks on echo frames, for viewers, GIFs and videos.
//
// All functions are pure and thread-safe.
#ifndef BOTM_CORE_IMAGE_OVERLAY_H_
#define BOTM_CORE_IMAGE_OVERLAY_H_

#include <array>
#include <cstdint>
#include <string>

#include <opencv2/core.hpp>

#include "core/image/postprocess.h"

namespace botm::image {

// Returns the BGR colour of each class: background black, LV cavity red, myocardium green,
// left atrium blue.
const std::array<cv::Vec3b, kNumClasses>& ClassColors();

// Returns the colour of `label` (white for labels above 3).
cv::Vec3b ClassColor(uint8_t label);

struct OverlayOptions {
  // Weight of the class colour inside each region, in [0, 1].
  float alpha = 0.45f;
  // Width of the class contour lines in pixels; 0 draws none.
  int contour_thickness_px = 1;
  // Draws the class legend in the top-left corner.
  bool legend = false;
};

// Returns a CV_8UC3 copy of `image` (any depth, 1/3/4 channels) with each class region blended
// with its colour and outlined. `labels` (CV_8UC1) is resized with nearest-neighbour when its
// size differs from the image's. An empty image gives an empty result.
cv::Mat RenderOverlay(const cv::Mat& image, const cv::Mat& labels, const OverlayOptions& options);
cv::Mat RenderOverlay(const cv::Mat& image, const cv::Mat& labels, float alpha = 0.45f);

// Draws the names of classes 1..3 in their colours into `bgr` (CV_8UC3), top-left.
void DrawLegend(cv::Mat* bgr);

// Draws `text` in white with a dark outline at the bottom-left of `bgr` (CV_8UC3).
void DrawCaption(cv::Mat* bgr, const std::string& text);

// Returns the two images side by side as CV_8UC3; `right` is scaled to the height of `left`.
cv::Mat SideBySide(const cv::Mat& left, const cv::Mat& right);

}  // namespace botm::image

#endif  // BOTM_CORE_IMAGE_OVERLAY_H_
