// Random fields on regular grids, drawn once per clip from the clip's Rng and sampled per frame:
// complex Gaussian fields (the scatterers behind Rayleigh speckle) and smooth scalar fields
// (echogenicity variations).
//
// Thread-safety: immutable after construction; sampling is const.
#ifndef BOTM_CORE_SYNTH_FIELDS_H_
#define BOTM_CORE_SYNTH_FIELDS_H_

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/synth/prng.h"

namespace botm::synth {

// A complex field with i.i.d. standard normal real and imaginary parts per node.
class ComplexGrid {
 public:
  ComplexGrid() = default;
  ComplexGrid(Rng& rng, int nx, int ny);

  int nx() const { return nx_; }
  int ny() const { return ny_; }
  // Returns node (ix, iy) wrapped into the grid.
  void At(int ix, int iy, float* re, float* im) const {
    ix %= nx_;
    iy %= ny_;
    if (ix < 0) ix += nx_;
    if (iy < 0) iy += ny_;
    const size_t k = static_cast<size_t>(iy) * nx_ + ix;
    *re = re_[k];
    *im = im_[k];
  }
  // Bilinear sample at grid coordinates, clamped to the grid, rescaled by the weights' norm so
  // the variance is one wherever the point falls (no grid pattern in the speckle).
  void Sample(float gx, float gy, float* re, float* im) const {
    gx = std::clamp(gx, 0.0f, nx_ - 1.001f);
    gy = std::clamp(gy, 0.0f, ny_ - 1.001f);
    const int ix = static_cast<int>(gx), iy = static_cast<int>(gy);
    const float fx = gx - ix, fy = gy - iy;
    const float w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy;
    const float norm = 1.0f / std::sqrt(w00 * w00 + w10 * w10 + w01 * w01 + w11 * w11);
    const size_t k = static_cast<size_t>(iy) * nx_ + ix;
    *re = norm * (w00 * re_[k] + w10 * re_[k + 1] + w01 * re_[k + nx_] + w11 * re_[k + nx_ + 1]);
    *im = norm * (w00 * im_[k] + w10 * im_[k + 1] + w01 * im_[k + nx_] + w11 * im_[k + nx_ + 1]);
  }

 private:
  int nx_ = 0, ny_ = 0;
  std::vector<float> re_, im_;
};

// A smooth scalar field: standard normal node values, smoothstep-bilinear between nodes.
class ScalarGrid {
 public:
  ScalarGrid() = default;
  ScalarGrid(Rng& rng, int nx, int ny);

  // Returns the value at grid coordinates, clamped to the grid.
  float Sample(float gx, float gy) const {
    gx = std::clamp(gx, 0.0f, nx_ - 1.001f);
    gy = std::clamp(gy, 0.0f, ny_ - 1.001f);
    const int ix = static_cast<int>(gx), iy = static_cast<int>(gy);
    float fx = gx - ix, fy = gy - iy;
    fx = fx * fx * (3 - 2 * fx);
    fy = fy * fy * (3 - 2 * fy);
    const size_t k = static_cast<size_t>(iy) * nx_ + ix;
    const float top = v_[k] + fx * (v_[k + 1] - v_[k]);
    const float bottom = v_[k + nx_] + fx * (v_[k + nx_ + 1] - v_[k + nx_]);
    return top + fy * (bottom - top);
  }

 private:
  int nx_ = 0, ny_ = 0;
  std::vector<float> v_;
};

}  // namespace botm::synth

#endif  // BOTM_CORE_SYNTH_FIELDS_H_
