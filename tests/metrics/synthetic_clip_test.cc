// Cross-checks the metrics against the synthetic generator's ground truth: its analytic masks
// must give back its true EF and ED/ES frames.
#include <cstdlib>
#include <vector>

#include <gtest/gtest.h>

#include "core/metrics/metrics.h"
#include "core/synth/echo_generator.h"

namespace botm::metrics {
namespace {

// Returns true when some frame of `frames` lies within `tolerance` of `f`.
bool HasNear(const std::vector<int>& frames, int f, int tolerance) {
  for (int g : frames) {
    if (std::abs(g - f) <= tolerance) return true;
  }
  return false;
}

TEST(SyntheticClips, TruthMasksGiveTrueEfAndPhases) {
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    synth::ClipOptions options;
    options.seed = seed;
    auto generator = synth::EchoGenerator::Create(options);
    ASSERT_TRUE(generator.ok()) << generator.status();
    const synth::ClipInfo& info = (*generator)->info();
    std::vector<cv::Mat> labels;
    for (int t = 0; t < info.num_frames; ++t) labels.push_back((*generator)->Render(t).labels);
    const ClipEf ef = EstimateClipEf(labels, info.spacing_mm_x, info.spacing_mm_y);
    ASSERT_TRUE(ef.valid) << seed;
    EXPECT_NEAR(ef.ef_area_length_pct, info.ejection_fraction_pct, 2.0) << seed;
    EXPECT_NEAR(ef.ef_discs_pct, info.ejection_fraction_pct, 2.0) << seed;
    const std::vector<double> area = LvAreaCurve(labels);
    const TemporalConsistency tc = MeasureTemporalConsistency(area);
    EXPECT_EQ(tc.flagged, 0) << seed;  // the truth is temporally consistent
    EXPECT_EQ(tc.spikes, 0) << seed;
    const EdEs phases = DetectEdEs(area);
    for (int f : info.ed_frames)
      EXPECT_TRUE(HasNear(phases.ed_frames, f, 1)) << seed << " ED " << f;
    for (int f : info.es_frames)
      EXPECT_TRUE(HasNear(phases.es_frames, f, 1)) << seed << " ES " << f;
    const int last = info.num_frames - 1;
    for (int f : phases.ed_frames) {
      if (f == 0 || f == last) continue;  // one-sided: the truth may list no frame there
      EXPECT_TRUE(HasNear(info.ed_frames, f, 1)) << seed << " ED " << f;
    }
    for (int f : phases.es_frames) {
      if (f == 0 || f == last) continue;  // one-sided: the truth may list no frame there
      EXPECT_TRUE(HasNear(info.es_frames, f, 1)) << seed << " ES " << f;
    }
  }
}

}  // namespace
}  // namespace botm::metrics
