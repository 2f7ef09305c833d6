// Renders one B-mode frame and its ground-truth labels for a posed heart: echoes are formed in
// polar (depth sample x beam) space, blurred by a point-spread function, log-compressed to
// 8 bits and scan-converted with cv::remap; labels are rasterised analytically in image space
// with 3x3 tent-weighted supersampling.
//
// Thread-safety: immutable after construction; Render() is const and allocates its own scratch.
#ifndef BOTM_CORE_SYNTH_ECHO_RENDERER_H_
#define BOTM_CORE_SYNTH_ECHO_RENDERER_H_

#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

#include "core/synth/acquisition.h"
#include "core/synth/anatomy.h"
#include "core/synth/echo_generator.h"
#include "core/synth/fields.h"

namespace botm::synth {

struct SectorGeometry {
  double depth_cm = 15;
  double half_angle_rad = 0.7;
  int width = 128, height = 128;  // output pixels
  // The frame in physical coordinates (probe apex at the origin, y along the depth): its left
  // and top edges and pixel size. pixel_w_cm <= 0: the sector fills the frame exactly
  // (x0 = -depth sin(half angle), y0 = 0), as in the standard bins.
  double frame_x0_cm = 0, frame_y0_cm = 0, pixel_w_cm = 0, pixel_h_cm = 0;
  // Polar grid (beams x samples per beam); <= 0: max(64, width) x max(64, height).
  int beams = 0, samples = 0;
};

class EchoRenderer {
 public:
  EchoRenderer(const SectorGeometry& sector, const AcquisitionParams& acq, uint64_t seed);

  // Renders the frame at `time_s` (drives speckle decorrelation); `frame_index` seeds the
  // per-frame blood speckle and electronic noise.
  Frame Render(const HeartState& heart, double time_s, int frame_index) const;

  // Physical size of one output pixel.
  double spacing_x_cm() const { return spacing_x_cm_; }
  double spacing_y_cm() const { return spacing_y_cm_; }
  // Pixel bounding box of the sector in the frame.
  cv::Rect sector_box() const { return sector_box_; }
  // CV_8UC1 frame-sized mask, 255 inside the sector.
  const cv::Mat& sector_mask() const { return sector_mask_; }

 private:
  void BuildPolarTables();
  void BuildScanConversion();
  void RenderPolar(const HeartState& heart, double time_s, int frame_index, float* re,
                   float* im) const;
  cv::Mat Compress(std::vector<float>& re, std::vector<float>& im, int frame_index) const;
  void ApplyDisplay(cv::Mat* polar) const;  // post blur and display map (randomised family)
  cv::Mat RenderLabels(const HeartState& heart) const;

  SectorGeometry sector_;
  AcquisitionParams acq_;
  uint64_t seed_;
  int nb_, ns_;  // beams, samples per beam
  double x0_cm_, y0_cm_, spacing_x_cm_, spacing_y_cm_;
  cv::Rect sector_box_;
  cv::Mat sector_mask_;
  std::vector<uint8_t> display_lut_;  // empty: identity
  std::vector<float> beam_sin_, beam_cos_, sample_r_;
  std::vector<float> gain_;         // static amplitude gain per polar sample
  std::vector<float> clutter_pow_;  // static clutter power per polar sample
  std::vector<float> noise_pow_;    // electronic noise power per depth sample
  std::array<float, kNumTissues> level_db_{};
  float speckle_norm_;
  // Tissue speckle (2 fields cycled with offsets) and echogenicity variation, in physical space.
  double field_x0_, field_y0_, field_cell_, coarse_cell_, fine_cell_;
  std::vector<ComplexGrid> tissue_speckle_;
  ScalarGrid coarse_, fine_;
  std::vector<ComplexGrid> pool_;         // polar fields for blood speckle and noise
  cv::Mat map1_, map2_;                   // scan conversion (fixed point)
  std::vector<uint8_t> label_in_sector_;  // (2W+1) x (2H+1) supersampling grid
};

}  // namespace botm::synth

#endif  // BOTM_CORE_SYNTH_ECHO_RENDERER_H_
