// glibc malloc settings for the batch tools (botm-train, botm-eval).
//
// A training step allocates and frees tensors of a few MB to tens of MB. With glibc's defaults
// the freed top of the heap is trimmed back to the kernel and the next step faults it in
// again, zeroed. Measured on the one-stage candidate recipe (60 steps, 2 threads, 192 px, two
// runs each): 3.9-4.1 M minor page faults and 9.4-10.3 s of system time with glibc's defaults,
// 0.26 M and 3.0-3.2 s with the settings below; wall time 63/74 s against 71/66 s, within the
// machine's noise (docs/PERFORMANCE.md, "The allocator of the batch tools"). Keeping freed
// memory for reuse costs at most the peak working set, which a batch tool reaches anyway.
//
// Not used by botm-server: a long-running service should give memory back after a burst.
// Thread-safety: call once, at the start of main().
#ifndef BOTM_CORE_COMMON_ALLOCATOR_TUNING_H_
#define BOTM_CORE_COMMON_ALLOCATOR_TUNING_H_

#include <cstddef>

namespace botm {

struct BatchAllocatorOptions {
  // Allocations at least this large get their own mapping (glibc's default adapts between
  // 128 KiB and 32 MiB and would map, unmap and re-fault every large tensor).
  size_t mmap_threshold_bytes = size_t{256} << 20;
  // Free memory at the top of the heap beyond this is returned to the kernel.
  size_t trim_threshold_bytes = size_t{1} << 30;
};

// Applies `options` with mallopt unless `glibc_tunables` (the GLIBC_TUNABLES value, nullptr when
// unset) already sets glibc.malloc tunables: the operator's choice wins. Returns whether it
// applied them (false also off glibc).
bool TuneAllocatorForBatchJob(const BatchAllocatorOptions& options, const char* glibc_tunables);

// The same with this process's GLIBC_TUNABLES.
bool TuneAllocatorForBatchJob(const BatchAllocatorOptions& options = {});

}  // namespace botm

#endif  // BOTM_CORE_COMMON_ALLOCATOR_TUNING_H_
