#include "core/common/allocator_tuning.h"

#include <cstdlib>
#include <cstring>

#include "gtest/gtest.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace botm {
namespace {

TEST(AllocatorTuning, OperatorTunablesWin) {
  EXPECT_FALSE(TuneAllocatorForBatchJob({}, "glibc.malloc.trim_threshold=0"));
  EXPECT_FALSE(TuneAllocatorForBatchJob({}, "glibc.cpu.x86_ibt=on:glibc.malloc.mmap_threshold=1"));
}

#if defined(__GLIBC__)
// After tuning, a 64 MiB block comes from the heap (not a mapping of its own), and freeing it
// keeps its pages: the next block of that size reuses them instead of faulting zeroed ones in.
TEST(AllocatorTuning, LargeBlocksStayInTheHeap) {
  ASSERT_TRUE(TuneAllocatorForBatchJob({}, "glibc.cpu.hwcaps=-AVX512F"));
  constexpr size_t kBytes = size_t{64} << 20;
  const size_t mapped_before = mallinfo2().hblkhd;
  char* block = static_cast<char*>(std::malloc(kBytes));
  ASSERT_NE(block, nullptr);
  std::memset(block, 1, kBytes);
  EXPECT_LT(mallinfo2().hblkhd, mapped_before + kBytes) << "the block got its own mapping";
  std::free(block);
  EXPECT_GE(mallinfo2().arena, kBytes) << "the heap was trimmed below the freed block";
}
#endif

}  // namespace
}  // namespace botm
