// Data augmentation for frame pairs: one geometric transform shared by both frames of a pair
// (so the pair's motion is preserved) and independent photometric changes per frame.
//
// Geometric: rotation, isotropic scale and shift about the image centre; images bilinear,
// labels nearest-neighbour, both with a zero border. Photometric: gamma, gain/offset,
// multiplicative speckle-like noise (smoothed Gaussian field), Gaussian blur, and dropout of a
// myocardial wall segment (an angular wedge around the LV centroid darkened, as echo loses
// walls parallel to the beam). All randomness comes from the caller's Rng, so a seed gives the
// same augmentation on every machine.
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
  double min_gamma = 0.7, max_gamma = 1.5;
  double gain_jitter = 0.15;    // gain uniform in 1 +- this
  double offset_jitter = 0.06;  // offset uniform in +- this (intensity units 0..1)
  double noise_probability = 0.6;
  double max_noise_sigma = 0.25;  // std of the multiplicative noise field
  double blur_probability = 0.3;
  double max_blur_sigma_px = 1.2;
  double dropout_probability = 0.3;
  double min_dropout_deg = 25.0, max_dropout_deg = 70.0;  // wedge width
  double min_dropout_gain = 0.15, max_dropout_gain = 0.6;
};

struct GeometricParams {
  double rotation_deg = 0, scale = 1, shift_x_frac = 0, shift_y_frac = 0;
};

// Draws a geometric transform (identity when augmentation is off).
GeometricParams SampleGeometric(const AugmentOptions& o, Rng& rng);

// Warps a CV_32FC1 or CV_8UC1 image (bilinear) and its CV_8UC1 labels (nearest) by `p`.
void ApplyGeometric(const GeometricParams& p, cv::Mat* image, cv::Mat* labels);

// Applies per-frame photometric augmentation to a CV_32FC1 image in [0, 1] (clamped after).
// `labels` locates the myocardium for wall dropout (may be empty: no dropout).
void ApplyPhotometric(const AugmentOptions& o, const cv::Mat& labels, Rng& rng, cv::Mat* image);

// A training pair: images CV_32FC1 in [0, 1], labels CV_8UC1, all the same size.
struct FramePair {
  cv::Mat image_a, labels_a, image_b, labels_b;
};

// Augments a pair in place: one geometric transform for both frames, photometric per frame.
void AugmentPair(const AugmentOptions& o, Rng& rng, FramePair* pair);

}  // namespace botm::train

#endif  // BOTM_CORE_TRAIN_AUGMENT_H_
