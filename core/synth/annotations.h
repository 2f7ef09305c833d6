// Burned-in scanner annotations: what a scanner's DICOM or video export draws around the
// ultrasound sector. Text lines (settings, depth, frame rate, clock), a grey-scale reference
// bar, depth ticks beside the sector's edge, an orientation marker beside the apex and an ECG
// trace along the bottom of the frame with the sweeping gap of a live display. All of it lies
// outside the sector (a scanner does not draw over the image) and none of it is labelled, so
// the ground truth of an annotated frame is that of the clean one.
//
// Used by evaluation (botm-eval --annotations) to check that the input policy finds the sector
// among such marks (core/model/internal/preprocess.h, FindSectorRegion); the training data
// never carries them.
//
// A colour export (ColourExport below) is what a scanner's RGB or YBR DICOM carries: the B-mode
// through a grey or tinted display map, and coloured marks drawn over the image itself (an ECG
// trace crossing the sector's far field, measurement calipers inside the sector). botm-eval
// --colour checks that the input policy leaves the colour out (preprocess.h, ToGray01).
//
// Determinism: a layout is drawn from one Rng; Draw() uses OpenCV's integer drawing functions
// (Hershey fonts, 8-connected lines), so the same layout gives the same pixels on every machine.
//
// Thread-safety: an AnnotationLayout is immutable after SampleAnnotations(); Draw() is const.
#ifndef BOTM_CORE_SYNTH_ANNOTATIONS_H_
#define BOTM_CORE_SYNTH_ANNOTATIONS_H_

#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/synth/prng.h"

namespace botm::synth {

struct AnnotationText {
  std::string text;
  cv::Point origin;  // bottom-left of the first character
  double font_scale = 0.4;
  int thickness = 1;
  int gray = 220;
};

struct AnnotationLayout {
  std::vector<AnnotationText> texts;
  cv::Rect gray_bar;            // empty: none; a vertical ramp from black to white
  bool gray_bar_rising = true;  // white at the top when true
  std::vector<cv::Rect> ticks;  // depth marks, one per centimetre
  cv::Point marker;             // orientation marker centre; marker_radius 0: none
  int marker_radius = 0;
  int marker_gray = 200;
  // ECG trace: baseline row, amplitude and thickness in pixels, brightness, sweep speed.
  bool ecg = false;
  int ecg_baseline_y = 0;
  int ecg_amplitude_px = 0;
  int ecg_thickness = 1;
  int ecg_gray = 200;
  double ecg_sweep_px_per_s = 0;
  double heart_rate_bpm = 60;
  // Pixels of the frame annotations may be drawn on: 255 outside the sector and its gap.
  cv::Mat allowed;
};

// Draws a layout for a frame of `size` whose sector is `sector_mask` (CV_8UC1, 255 inside),
// `depth_cm` deep with `spacing_y_mm` per pixel row. Marks keep a gap of 2-5 % of the width
// from the sector, as most scanners leave one; `touching` sets the gap to none (the depth ticks
// abut the sector's edge and the ECG runs up to it, as some scanners draw them) from the same
// random draws, so a seed keeps the rest of its layout.
AnnotationLayout SampleAnnotations(Rng& rng, const cv::Mat& sector_mask, double depth_cm,
                                   double spacing_y_mm, double fps, double heart_rate_bpm,
                                   bool touching = false);

// Draws the layout onto a CV_8UC1 frame of the layout's size (frame index t at `fps` moves
// the ECG's sweep); pixels outside `allowed` are left alone.
void DrawAnnotations(const AnnotationLayout& layout, int t, double fps, cv::Mat* image);

// A colour export's display map and coloured marks (colours are BGR, 8-bit).
struct ColourExport {
  // The B-mode display map inside the sector: BGR = v * tint (each factor in (0, 1], the
  // largest 1); (1, 1, 1) is grey. Outside the sector (black padding, grey annotations) the
  // frame stays grey.
  cv::Vec3f tint{1.0f, 1.0f, 1.0f};
  // The ECG trace, drawn over everything with its baseline in the sector's far field (scanners
  // draw it across the bottom of the image), sweeping as a live display does.
  int ecg_baseline_y = 0;
  int ecg_amplitude_px = 0;
  int ecg_thickness = 1;
  double ecg_sweep_px_per_s = 0;
  double heart_rate_bpm = 60;
  cv::Vec3b ecg_bgr{0, 220, 0};
  // Measurement calipers inside the sector: a cross at each end and a dotted line between
  // them, the same on every frame (a stored measurement).
  cv::Point caliper_a, caliper_b;
  int caliper_arm_px = 0;  // 0: no calipers
  int caliper_thickness = 1;
  cv::Vec3b caliper_bgr{0, 220, 220};
};

// Draws a colour export for a frame whose sector is `sector_mask` (CV_8UC1, 255 inside): a tint
// for half the clips (sepia, bronze or blue), the ECG and the calipers in saturated colours
// (green, yellow, cyan, orange, magenta) at 70-100 % brightness.
ColourExport SampleColourExport(Rng& rng, const cv::Mat& sector_mask, double heart_rate_bpm);

// Turns a CV_8UC1 frame (annotations, if any, already drawn) into the CV_8UC3 BGR export: the
// sector through the tint, then the ECG at frame t of a clip at `fps` and the calipers.
void DrawColourExport(const ColourExport& colour, const cv::Mat& sector_mask, int t, double fps,
                      cv::Mat* image);

}  // namespace botm::synth

#endif  // BOTM_CORE_SYNTH_ANNOTATIONS_H_
