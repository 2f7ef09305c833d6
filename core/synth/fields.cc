#include "core/synth/fields.h"

namespace botm::synth {

ComplexGrid::ComplexGrid(Rng& rng, int nx, int ny) : nx_(std::max(nx, 2)), ny_(std::max(ny, 2)) {
  const size_t n = static_cast<size_t>(nx_) * ny_;
  re_.resize(n);
  im_.resize(n);
  for (size_t k = 0; k < n; ++k) {
    re_[k] = static_cast<float>(rng.FastNormal());
    im_[k] = static_cast<float>(rng.FastNormal());
  }
}

ScalarGrid::ScalarGrid(Rng& rng, int nx, int ny) : nx_(std::max(nx, 2)), ny_(std::max(ny, 2)) {
  v_.resize(static_cast<size_t>(nx_) * ny_);
  for (float& v : v_) v = static_cast<float>(rng.FastNormal());
}

}  // namespace botm::synth
