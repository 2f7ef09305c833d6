#include "core/metrics/distance_transform.h"

#include <limits>
#include <vector>

namespace botm::metrics {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// One-dimensional transform d[p] = min_q weight (p - q)^2 + f[q] of n samples read from
// `in` and written to `out` with the given element strides (in doubles). `v` and `z` are
// scratch buffers of at least n and n + 1 elements.
void Transform1d(const double* in, double* out, int n, int stride, double weight,
                 std::vector<int>* v, std::vector<double>* z) {
  int k = -1;  // index of the rightmost parabola in the lower envelope
  for (int q = 0; q < n; ++q) {
    const double fq = in[q * stride];
    if (fq == kInf) continue;
    while (k >= 0) {
      const int r = (*v)[k];
      const double fr = in[r * stride];
      const double s = ((fq + weight * q * q) - (fr + weight * r * r)) / (2.0 * weight * (q - r));
      if (s > (*z)[k]) {
        ++k;
        (*v)[k] = q;
        (*z)[k] = s;
        (*z)[k + 1] = kInf;
        break;
      }
      --k;
    }
    if (k < 0) {
      k = 0;
      (*v)[0] = q;
      (*z)[0] = -kInf;
      (*z)[1] = kInf;
    }
  }
  if (k < 0) {
    for (int p = 0; p < n; ++p) out[p * stride] = kInf;
    return;
  }
  int j = 0;
  for (int p = 0; p < n; ++p) {
    while ((*z)[j + 1] < p) ++j;
    const int r = (*v)[j];
    out[p * stride] = weight * (p - r) * (p - r) + in[r * stride];
  }
}

}  // namespace

cv::Mat SquaredDistanceToSites(const cv::Mat& sites, double spacing_x_mm, double spacing_y_mm) {
  CV_Assert(sites.type() == CV_8UC1);
  const int rows = sites.rows, cols = sites.cols;
  cv::Mat f(rows, cols, CV_64FC1);
  for (int y = 0; y < rows; ++y) {
    const uint8_t* s = sites.ptr<uint8_t>(y);
    double* row = f.ptr<double>(y);
    for (int x = 0; x < cols; ++x) row[x] = s[x] != 0 ? 0.0 : kInf;
  }
  cv::Mat columns(rows, cols, CV_64FC1);
  cv::Mat out(rows, cols, CV_64FC1);
  const int n = std::max(rows, cols);
  std::vector<int> v(n);
  std::vector<double> z(n + 1);
  const int stride = static_cast<int>(f.step1());  // freshly allocated: continuous
  for (int x = 0; x < cols; ++x) {
    Transform1d(f.ptr<double>(0) + x, columns.ptr<double>(0) + x, rows, stride,
                spacing_y_mm * spacing_y_mm, &v, &z);
  }
  for (int y = 0; y < rows; ++y) {
    Transform1d(columns.ptr<double>(y), out.ptr<double>(y), cols, 1, spacing_x_mm * spacing_x_mm,
                &v, &z);
  }
  return out;
}

}  // namespace botm::metrics
