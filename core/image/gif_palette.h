// The fixed 256-colour palette of the GIF writer and the nearest-colour mapping onto it.
//
// Palette layout: indices 0..215 are the 6x6x6 colour cube (levels 0, 51, ..., 255; index
// 36 r + 6 g + b with level indices r, g, b), indices 216..255 are 40 extra grays, 8 between
// each pair of neighbouring cube grays, so gray echo images get 46 gray levels (step ~5.7).
// Thread-safe.
#ifndef BOTM_CORE_IMAGE_GIF_PALETTE_H_
#define BOTM_CORE_IMAGE_GIF_PALETTE_H_

#include <array>
#include <cstdint>

#include <opencv2/core.hpp>

namespace botm::image {

// Returns the palette as BGR colours.
const std::array<cv::Vec3b, 256>& GifPalette();

// Returns the index of the palette colour nearest to `bgr` in Euclidean RGB distance (exact:
// the nearest cube point and the nearest gray are found in O(1) and compared).
uint8_t NearestPaletteIndex(const cv::Vec3b& bgr);

// Maps a CV_8UC3 BGR image to a CV_8UC1 image of palette indices.
cv::Mat MapToPalette(const cv::Mat& bgr);

}  // namespace botm::image

#endif  // BOTM_CORE_IMAGE_GIF_PALETTE_H_
