// Order statistics of latency samples, as load generators report them.
//
// Thread-safety: pure functions.
#ifndef BOTM_CLIENT_LATENCY_STATS_H_
#define BOTM_CLIENT_LATENCY_STATS_H_

#include <cstdint>
#include <vector>

namespace botm::client {

struct LatencySummary {
  int64_t count = 0;
  double mean_ms = 0;
  double min_ms = 0;
  double p50_ms = 0;
  double p90_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
};

// Returns the q-quantile (0 <= q <= 1) of `sorted` (ascending) by the nearest-rank method
// (the smallest sample with at least q of the samples at or below it); 0 when empty.
double NearestRankQuantile(const std::vector<double>& sorted, double q);

// Summarises the samples (milliseconds; order does not matter). All zero when empty.
LatencySummary Summarize(std::vector<double> samples_ms);

}  // namespace botm::client

#endif  // BOTM_CLIENT_LATENCY_STATS_H_
