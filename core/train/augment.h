// Data augmentation for frame pairs: one geometric transform and one appearance shared by both
// frames of a pair (a clip's frames share their scanner settings; the pair's motion is kept),
// with only the noise field redrawn per frame.
//
// Geometric: rotation, isotropic scale and shift about the image centre; images bilinear,
// labels nearest-neighbour, both with a zero border. Appearance (drawn once per pair, after
// SynthSeg-style domain randomisation, Billot et al. 2023): wall dropout (an angular wedge of
// the myocardium around the LV centroid darkened, as echo loses walls parallel to the beam),
// multiplicative speckle-like noise, Gaussian blur, a smooth multiplicative gain field (local
// TGC/LGC), gain, contrast about the in-sector mean, offset and gamma 0.4-3.0, then 8-bit
// quantisation (as real frames arrive). Pixels that are black (outside the sector) stay black,
// so padding looks like real exports. All randomness
// comes from the caller's Rng, so a seed gives the same augmentation on every machine.
// Thread-safety: functions are pure apart from the Rng passed in.
#ifndef BOTM_CORE_TRAIN_AUGMENT_H_
#define BOTM_CORE_TRAIN_AUGMENT_H_

#include <opencv2/core.hpp>

#include "core/train/rng.h"

namespace botm::train {

struct AugmentOptions {
  bool enabled = true;
  double max_rotation_deg = 12.0;
  double min_scale = 0.85, max_scale = 1.15;
  double max_shift_frac = 0.06;  // of the image side
  double gamma_probability = 0.8;
  double min_gamma = 0.4, max_gamma = 3.0;  // log-uniform
  double contrast_probability = 0.5;
  double min_contrast = 0.6, max_contrast = 1.6;  // about the in-sector mean
  double gain_jitter = 0.25;                      // gain uniform in 1 +- this
  double offset_jitter = 0.06;  // in-sector offset uniform in +- this (intensity units 0..1)
  double gain_field_probability = 0.5;
  double max_gain_field = 0.45;  // relative amplitude of the smooth gain field
  double noise_probability = 0.6;
  double max_noise_sigma = 0.25;  // std of the multiplicative noise field
  double blur_probability = 0.35;
  double max_blur_sigma_px = 1.5;
  double dropout_probability = 0.3;
  double min_dropout_deg = 25.0, max_dropout_deg = 70.0;  // wedge width
  double min_dropout_gain = 0.15, max_dropout_gain = 0.6;
  // Low-resolution export (DegradeResolution; off by default): with this probability a pair is
  // brought down to the resolution of a small video export and back up, as a 112x112 AVI is
  // upsampled by the Segmenter. The sector's box then spans U(min, max) x the model input side.
  double lowres_probability = 0.0;
  double min_lowres_frac = 0.4, max_lowres_frac = 1.0;
  double jpeg_probability = 0.5;  // of the degraded pairs: block compression as in video files
  int min_jpeg_quality = 40, max_jpeg_quality = 90;
};

struct GeometricParams {
  double rotation_deg = 0, scale = 1, shift_x_frac = 0, shift_y_frac = 0;
};

// Draws a geometric transform (identity when augmentation is off).
GeometricParams SampleGeometric(const AugmentOptions& o, Rng& rng);

// Warps a CV_32FC1 or CV_8UC1 image (bilinear) and its CV_8UC1 labels (nearest) by `p`.
void ApplyGeometric(const GeometricParams& p, cv::Mat* image, cv::Mat* labels);

// One appearance, shared by the frames of a pair. Zero / neutral fields are skipped.
struct AppearanceParams {
  bool dropout = false;
  double dropout_center_rad = 0, dropout_half_rad = 0, dropout_gain = 1;
  double noise_sigma = 0;  // the field itself is drawn per frame
  double blur_sigma_px = 0;
  cv::Mat gain_field;  // CV_32FC1 at the frame size, or empty
  double gain = 1, contrast = 1, offset = 0, gamma = 1;
};

// Draws an appearance for frames of `size` (neutral when augmentation is off).
AppearanceParams SampleAppearance(const AugmentOptions& o, cv::Size size, Rng& rng);

// Applies an appearance to a CV_32FC1 image in [0, 1] (clamped after); `rng` draws this frame's
// noise field. `labels` locates the myocardium for wall dropout (may be empty: no dropout).
void ApplyAppearance(const AppearanceParams& a, const cv::Mat& labels, Rng& rng, cv::Mat* image);

// SampleAppearance + ApplyAppearance for one frame.
void ApplyPhotometric(const AugmentOptions& o, const cv::Mat& labels, Rng& rng, cv::Mat* image);

// A training pair: images CV_32FC1 in [0, 1], labels CV_8UC1, all the same size.
struct FramePair {
  cv::Mat image_a, labels_a, image_b, labels_b;
};

// Augments a pair in place: one geometric transform and one appearance for both frames.
void AugmentPair(const AugmentOptions& o, Rng& rng, FramePair* pair);

// The low-resolution export of a pair (after AugmentPair, before the input policy), both frames
// alike: with probability o.lowres_probability, each image is area-downsampled by the factor
// that makes the sector's box (internal::FindSectorBox when `crop_sector`, else the frame)
// span input_size * U(min_lowres_frac, max_lowres_frac) pixels, quantised to 8 bits, with
// probability o.jpeg_probability JPEG-compressed at quality U(min, max), and bilinearly
// upsampled back to its size. Labels keep the full resolution (the model learns to recover the
// borders, as SynthSeg trains on randomised resolution, Billot et al. 2023). A pair already at
// or below the drawn resolution is left alone. Draws nothing from `rng` when the probability is 0.
void DegradeResolution(const AugmentOptions& o, int input_size, bool crop_sector, Rng& rng,
                       FramePair* pair);

}  // namespace botm::train

#endif  // BOTM_CORE_TRAIN_AUGMENT_H_
