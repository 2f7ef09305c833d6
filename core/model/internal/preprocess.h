// Frame pre-processing for the model (OpenCV only, no torch): any supported image -> gray float
// at the model's square input size, under the checkpoint's input policy (model card:
// config.crop_sector and config.input_norm). Training (core/train) uses the same functions, so
// the model sees identical inputs in training and in service.
#ifndef BOTM_CORE_MODEL_INTERNAL_PREPROCESS_H_
#define BOTM_CORE_MODEL_INTERNAL_PREPROCESS_H_

#include <opencv2/core.hpp>

#include "absl/status/statusor.h"

namespace botm {
namespace internal {

// Gray values at or below this (in [0, 1]; 8-bit values 0 and 1) count as outside the
// ultrasound sector: exports pad the sector with black.
inline constexpr float kSectorThreshold = 1.5f / 255.0f;
// Cap of SectorCellLevel: lossy (JPEG) ringing in black padding stays below about 40/255 down
// to quality 50; burned-in marks and tissue speckle reach well above it.
inline constexpr float kMaxSectorCellLevel = 40.0f / 255.0f;

struct InputPolicy {
  int size = 128;            // square model input in pixels
  bool crop_sector = false;  // crop to the sector's bounding box before resizing
  bool rank_norm = false;    // in-sector histogram equalisation (see RankNormalize)
};

struct PreparedInput {
  cv::Mat input;  // CV_32FC1, size x size, values in [0, 1]
  cv::Rect crop;  // region of the original frame the input covers (the whole frame if no crop)
};

// Accepts CV_8U (scaled by 1/255) or CV_16U (scaled by 1/65535) with 1, 3 (BGR) or 4 (BGRA)
// channels and at least 8 x 8 pixels; returns CV_32FC1 in [0, 1] at the image's own size.
// InvalidArgument otherwise. Colour frames are turned to luminance, and their colour overlays
// are left out (ColourOverlays below): each overlay pixel takes the mean of the pixels around
// it that are not overlays (a normalised box filter of ColourOverlayWindow(frame) pixels; 0
// when there are none), so an ECG trace or a caliper over the sector leaves tissue behind and
// one outside it leaves black. A frame with no overlay keeps the plain luminance, bit for bit.
absl::StatusOr<cv::Mat> ToGray01(const cv::Mat& image);

// B-mode echo is grey, or grey through a scanner's tinted display map (sepia, blue): one
// colour per brightness, changing smoothly with it. What a colour export draws over it (an ECG
// trace, calipers, coloured text, colour Doppler) is not. For a CV_8UC3 BGR frame and its
// CV_8UC1 luminance: the median (B - G, R - G) of the frame's non-black pixels in each of 16
// luminance bins (bins of at least 16 pixels), then for every bin the median of those medians
// over the 5 such bins nearest to it: the display map (an overlay of one colour that fills its
// own bin is outvoted by the tissue of the bins around it). A pixel is an overlay when its
// (B - G) or (R - G) lies more than kOverlayChroma from the map at its brightness. Overlays
// spanning most of several neighbouring bins (a colour Doppler box larger than the tissue of
// those brightnesses) are taken for the map and kept. Returns CV_8UC1, 255 on overlays; empty
// when no pixel's colour exceeds kOverlayChroma at all (a grey frame).
inline constexpr int kOverlayChroma = 24;
cv::Mat ColourOverlays(const cv::Mat& bgr8, const cv::Mat& gray8);

// The fill window of ToGray01: 2 * max(2, max(width, height) / 128) + 1 pixels.
int ColourOverlayWindow(const cv::Mat& image);

// The sector of a CV_32FC1 [0, 1] frame, told apart from what an export burns in around it
// (settings text, a grey-scale bar, depth ticks, an orientation marker, an ECG trace):
//  1. the pixels brighter than kSectorThreshold, pooled into cells of f x f pixels,
//     f = ceil(max(width, height) / 128); a cell counts when it holds any such pixel;
//  2. the 8-connected group of counted cells with the most bright pixels is the sector (a fan,
//     a convex shape, dark regions and all): its convex hull, grown by 1 cell, is the
//     sector's region; bright pixels outside it are marks. Marks less than about two cells
//     from the sector join it and stay. When marks lie apart, steps 1-2 run again on the
//     pixels above SectorCellLevel (the region then keeps only what lies within 3 cells of
//     that hull): the faint ringing of a lossy (JPEG) export around every edge otherwise
//     joins nearby marks to the sector. Frames without marks never take this step;
//  3. the box: the rows and columns that hold at least max(2, 2 %) bright pixels inside the
//     region (the criterion used before the region existed, so a frame without marks keeps
//     its box to the pixel).
// When the box is under a quarter of the frame's width or height (a dark or empty frame), the
// box is the whole frame and the region everything.
struct SectorRegion {
  cv::Rect box;
  // CV_8UC1 at the frame's size, 255 inside the region; empty when the region is the whole
  // frame or no bright pixel lies outside it.
  cv::Mat region;
};
SectorRegion FindSectorRegion(const cv::Mat& gray01);

// The level a pixel must exceed for its cell to count in FindSectorRegion (step 1): half the
// median of the pixels brighter than kSectorThreshold (8-bit bins), within [kSectorThreshold,
// kMaxSectorCellLevel]. Relative, so dark exports keep their dim tissue; above the faint
// ringing a lossy export leaves in the black around every edge.
float SectorCellLevel(const cv::Mat& gray01);

// FindSectorRegion(gray01).box.
cv::Rect FindSectorBox(const cv::Mat& gray01);

// Histogram equalisation over the pixels brighter than kSectorThreshold: each becomes its
// (piecewise-linear, 1024-bin) rank among them in [0, 1]; darker pixels become 0. Invariant to
// any increasing map of the display values (gain, gamma, dynamic range, contrast), so the model
// cannot key on the absolute grey levels of its training data. Frames with fewer than 64 such
// pixels are returned unchanged. In place on CV_32FC1.
void RankNormalize(cv::Mat* gray01);

// Applies a policy to a CV_32FC1 [0, 1] frame: crop (optional; marks outside the sector's
// region set to 0 first), resize to size x size with INTER_AREA when shrinking and
// INTER_LINEAR when enlarging, rank normalisation (optional).
PreparedInput PrepareGray01(const cv::Mat& gray01, const InputPolicy& policy);

// ToGray01 + PrepareGray01. InvalidArgument as ToGray01.
absl::StatusOr<PreparedInput> PrepareFrame(const cv::Mat& image, const InputPolicy& policy);

// The legacy entry point: PrepareFrame with neither crop nor normalisation.
absl::StatusOr<cv::Mat> PreprocessFrame(const cv::Mat& image, int size);

}  // namespace internal
}  // namespace botm

#endif  // BOTM_CORE_MODEL_INTERNAL_PREPROCESS_H_
