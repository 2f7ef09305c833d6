#include "client/latency_stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace botm::client {

double NearestRankQuantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const double n = static_cast<double>(sorted.size());
  int64_t rank = static_cast<int64_t>(std::ceil(std::clamp(q, 0.0, 1.0) * n));
  rank = std::clamp<int64_t>(rank, 1, static_cast<int64_t>(sorted.size()));
  return sorted[static_cast<size_t>(rank - 1)];
}

LatencySummary Summarize(std::vector<double> samples_ms) {
  LatencySummary summary;
  if (samples_ms.empty()) return summary;
  std::sort(samples_ms.begin(), samples_ms.end());
  summary.count = static_cast<int64_t>(samples_ms.size());
  summary.mean_ms = std::accumulate(samples_ms.begin(), samples_ms.end(), 0.0) /
                    static_cast<double>(samples_ms.size());
  summary.min_ms = samples_ms.front();
  summary.p50_ms = NearestRankQuantile(samples_ms, 0.50);
  summary.p90_ms = NearestRankQuantile(samples_ms, 0.90);
  summary.p99_ms = NearestRankQuantile(samples_ms, 0.99);
  summary.max_ms = samples_ms.back();
  return summary;
}

}  // namespace botm::client
