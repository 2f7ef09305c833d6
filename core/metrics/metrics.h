// Segmentation and cardiac-function metrics on label masks (CV_8UC1; 0 background,
// 1 LV cavity, 2 LV myocardium, 3 left atrium).
//
// Coordinates: x = columns, y = rows; pixel spacing in millimetres per pixel along x and y.
// All functions are pure and thread-safe; masks must be CV_8UC1 (asserted).
#ifndef BOTM_CORE_METRICS_METRICS_H_
#define BOTM_CORE_METRICS_METRICS_H_

#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

namespace botm::metrics {

// ---- Overlap and surface distances ----

// Returns the Dice coefficient 2|P∩T| / (|P| + |T|) of `label` in two masks of equal size;
// 1.0 when the label is absent from both.
double Dice(const cv::Mat& pred, const cv::Mat& truth, uint8_t label);

struct SurfaceDistance {
  double hd95_mm = 0;  // 95th percentile of the pooled symmetric boundary distances
  double msd_mm = 0;   // mean of the pooled symmetric boundary distances
  double hd_mm = 0;    // maximum (Hausdorff distance)
  bool valid = false;  // false when `label` is absent from either mask
};

// Returns the symmetric surface distances of `label` between two masks of equal size.
// Boundary pixels are the pixels of the region with a 4-neighbour outside it (or on the image
// edge). Each boundary pixel of one mask gets its distance to the nearest boundary pixel of
// the other, measured between pixel centres with the anisotropic spacing; both directions
// are pooled, and HD95 is their 95th percentile with linear interpolation between order
// statistics. The distances are exact: an anisotropic Euclidean distance transform after
// Felzenszwalb & Huttenlocher, "Distance Transforms of Sampled Functions", Theory of
// Computing 8 (2012).
SurfaceDistance SurfaceDistances(const cv::Mat& pred, const cv::Mat& truth, uint8_t label,
                                 double spacing_x_mm, double spacing_y_mm);

// ---- LV geometry and volumes ----

struct LvGeometry {
  double area_px = 0;
  double area_mm2 = 0;
  double length_mm = 0;              // long axis: mitral-plane midpoint to apex
  double volume_area_length_ml = 0;  // single-plane area-length
  double volume_discs_ml = 0;        // single-plane method of discs (20 discs)
  cv::Point2d apex_px{0, 0};         // long-axis end points in pixel coordinates
  cv::Point2d mitral_mid_px{0, 0};
  bool mitral_from_atrium = false;  // true when the mitral plane came from the LA contact
};

// Measures the LV cavity (`lv_label`) of one mask after the ASE/EACVI chamber quantification
// recommendations (Lang et al., J Am Soc Echocardiogr 28(1):1-39, 2015).
// Mitral-plane midpoint: the centroid of the cavity pixels that touch the left atrium (label 3)
// within a few pixels when the atrium is present; otherwise the centroid of the cavity's
// basal end along its principal axis, the base being the end farther down the image (apical
// views put the apex at the top). Apex: the cavity pixel farthest from that midpoint.
// Area-length: V = 8 A^2 / (3 pi L). Discs: 20 slabs of height L/20 perpendicular to the long
// axis; each disc's diameter is the slab's cavity area divided by its height, and
// V = sum pi (d/2)^2 h (cavity parts beyond either end of the axis fall in the end slabs).
// Volumes and lengths are 0 when the cavity is empty or the spacing is not positive.
LvGeometry MeasureLv(const cv::Mat& labels, double spacing_x_mm, double spacing_y_mm,
                     uint8_t lv_label = 1);

// ---- Cardiac cycle ----

// Returns the pixel count of `lv_label` in each mask.
std::vector<double> LvAreaCurve(const std::vector<cv::Mat>& labels, uint8_t lv_label = 1);

struct EdEs {
  std::vector<int> ed_frames;  // end-diastole: local maxima of the LV area, ascending
  std::vector<int> es_frames;  // end-systole: local minima of the LV area, ascending
};

struct EdEsOptions {
  // Gaussian smoothing of the curve before the search, in frames; 0 disables it.
  double smoothing_sigma_frames = 1.0;
  // An extremum counts only when the (smoothed) curve then swings back by at least this
  // fraction of its total range (max - min): hysteresis that ignores noise wiggles.
  double min_prominence_fraction = 0.2;
  // Neighbouring ED and ES closer than this are merged away (the weaker swing goes).
  int min_separation_frames = 2;
  // Accepts extrema on the first and last frame (clips that start at ED, as in CAMUS)...
  bool accept_boundary_extrema = true;
  // ...but only when no interior extremum of the same kind exists, or when the boundary
  // value lies within this fraction of the range of their mean: a clip that starts in
  // mid-systole does not get a false ED on frame 0.
  double boundary_match_fraction = 0.15;
};

// Detects ED and ES frames on an LV area curve: smooths it, then scans it with hysteresis
// (an extremum is confirmed once the curve has moved away from it by the prominence), so ED
// and ES alternate. Curves shorter than 3 frames or flat curves give no frames. The last
// extremum is one-sided (nothing after it confirms it), and the prominence is relative to
// the range seen so far: on a growing live curve, rerun it on the whole curve per frame.
EdEs DetectEdEs(const std::vector<double>& lv_area, const EdEsOptions& options);
EdEs DetectEdEs(const std::vector<double>& lv_area, double min_prominence_fraction = 0.2);

// Returns the ejection fraction 100 (EDV - ESV) / EDV in percent; 0 when EDV <= 0.
double EjectionFraction(double edv, double esv);

struct ClipEf {
  double ef_area_length_pct = 0;
  double ef_discs_pct = 0;
  double edv_area_length_ml = 0, esv_area_length_ml = 0;
  double edv_discs_ml = 0, esv_discs_ml = 0;
  int ed = -1;  // frame indices used
  int es = -1;
  bool valid = false;  // false without positive spacing, with fewer than 2 frames or no LV
};

// Estimates the single-plane EF of a clip from one beat: ED is the detected ED frame of
// largest LV area (the earliest on ties), ES the detected ES of smallest area between it and
// the next ED (or, when none follows, the last ES before it); when no ED or ES is detected,
// ED and ES are the frames of largest and smallest LV area.
ClipEf EstimateClipEf(const std::vector<cv::Mat>& labels, double spacing_x_mm, double spacing_y_mm,
                      uint8_t lv_label = 1);

// ---- Temporal consistency ----

struct TemporalConsistency {
  double flagged_fraction = 0;  // flagged frames / frames
  double flicker = 0;           // mean |a_t - a_{t-1}| / mean area
  int flagged = 0;              // number of frames flagged by the second difference
  std::vector<int> flagged_frames;
  int spikes = 0;  // number of frames flagged as one-frame spikes
  std::vector<int> spike_frames;
};

// Default thresholds of MeasureTemporalConsistency, relative to the curve's mean. Both sit
// above every frame of the synthetic generator's ground-truth LV area curves in its normal
// bin (20 clips, 1592 frames: second difference at most 0.22, spike height at most 0.044;
// its low-frame-rate bin, 18-25 frames/s, reaches 0.33 and 0.093).
inline constexpr double kDefaultTemporalThreshold = 0.25;
inline constexpr double kDefaultSpikeThreshold = 0.1;

// Measures the temporal consistency of an attribute curve (e.g. the LV area), after Painchaud
// et al., "Echocardiography Segmentation With Enforced Temporal Consistency", IEEE TMI 41(10),
// 2022: the curve is normalised by its mean, and an interior frame t is flagged when
// |a_{t-1} - 2 a_t + a_{t+1}| exceeds `threshold` (that paper's criterion, with the threshold
// set above ground-truth curves as it does). Physiological corners (start of ejection, rapid
// filling) also raise the second difference, so a second, sharper test is reported apart:
// frame t is a spike when a_t lies outside [min, max] of its two neighbours by more than
// `spike_threshold`; monotone or rounded motion never does that, a one-frame glitch does.
TemporalConsistency MeasureTemporalConsistency(const std::vector<double>& area_curve,
                                               double threshold = kDefaultTemporalThreshold,
                                               double spike_threshold = kDefaultSpikeThreshold);

// Returns the mean, over consecutive frame pairs, of the fraction of pixels whose label
// changes among the pixels that are foreground in either frame (0 for fewer than 2 frames).
double LabelFlicker(const std::vector<cv::Mat>& labels);

}  // namespace botm::metrics

#endif  // BOTM_CORE_METRICS_METRICS_H_
