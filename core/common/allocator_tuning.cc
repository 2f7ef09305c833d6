#include "core/common/allocator_tuning.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace botm {

bool TuneAllocatorForBatchJob(const BatchAllocatorOptions& options) {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): called before any thread starts (header).
  return TuneAllocatorForBatchJob(options, std::getenv("GLIBC_TUNABLES"));
}

bool TuneAllocatorForBatchJob(const BatchAllocatorOptions& options, const char* glibc_tunables) {
#if defined(__GLIBC__)
  if (glibc_tunables != nullptr && std::strstr(glibc_tunables, "glibc.malloc.") != nullptr) {
    return false;
  }
  constexpr size_t kMaxInt = static_cast<size_t>(std::numeric_limits<int>::max());
  const int mmap = static_cast<int>(std::min(options.mmap_threshold_bytes, kMaxInt));
  const int trim = static_cast<int>(std::min(options.trim_threshold_bytes, kMaxInt));
  return mallopt(M_MMAP_THRESHOLD, mmap) == 1 && mallopt(M_TRIM_THRESHOLD, trim) == 1;
#else
  (void)options;
  (void)glibc_tunables;
  return false;
#endif
}

}  // namespace botm
