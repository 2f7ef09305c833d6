#include "core/common/blas_kernel.h"

#include <cstdlib>
#include <string>

#include "core/model/segmenter.h"
#include "gtest/gtest.h"

namespace botm {
namespace {

CpuVectorFeatures Avx512() {
  CpuVectorFeatures f;
  f.avx = f.avx2 = f.fma = true;
  f.avx512f = f.avx512bw = f.avx512dq = f.avx512vl = true;
  return f;
}

TEST(BlasKernel, ReplacesOnlyTheGenericFallbacksByWhatTheCpuRuns) {
  CpuVectorFeatures avx2;
  avx2.avx = avx2.avx2 = avx2.fma = true;
  CpuVectorFeatures avx;
  avx.avx = true;
  const CpuVectorFeatures sse;
  EXPECT_EQ(BetterOpenBlasCoreType("Prescott", Avx512()), "SkylakeX");
  EXPECT_EQ(BetterOpenBlasCoreType("prescott\n", Avx512()), "SkylakeX");
  EXPECT_EQ(BetterOpenBlasCoreType("Core2", avx2), "Haswell");
  EXPECT_EQ(BetterOpenBlasCoreType("Nehalem", avx), "Sandybridge");
  EXPECT_EQ(BetterOpenBlasCoreType("Prescott", sse), "");  // nothing better to run
  // AVX-512 without BW/DQ/VL (Knights Landing) is not SkylakeX's instruction set.
  CpuVectorFeatures knl = avx2;
  knl.avx512f = true;
  EXPECT_EQ(BetterOpenBlasCoreType("Prescott", knl), "Haswell");
  // A core the library recognised is kept, whatever the CPU.
  EXPECT_EQ(BetterOpenBlasCoreType("SkylakeX", Avx512()), "");
  EXPECT_EQ(BetterOpenBlasCoreType("Haswell", Avx512()), "");
  EXPECT_EQ(BetterOpenBlasCoreType("", Avx512()), "");  // no OpenBLAS
}

// This test binary's main runs the check (tests/test_main.cc): unless the operator chose a core,
// the OpenBLAS loaded here runs kernels that match the CPU. On a CPU newer than Debian's
// OpenBLAS (e.g. Intel model 207) this fails without the re-exec.
TEST(BlasKernel, ProcessRunsTheKernelsTheCpuSupports) {
  const char* chosen = std::getenv("OPENBLAS_CORETYPE");
  const char* reexec = std::getenv("BOTM_BLAS_REEXEC");
  if (chosen != nullptr && reexec == nullptr) GTEST_SKIP() << "OPENBLAS_CORETYPE set by the caller";
  const std::string core = LoadedOpenBlasCore();
  ASSERT_FALSE(core.empty()) << "the model library links OpenBLAS (docs/TOOLCHAIN.md)";
  EXPECT_EQ(BetterOpenBlasCoreType(core, DetectCpuVectorFeatures()), "") << "core " << core;
  if (reexec != nullptr) {
    EXPECT_STREQ(chosen, core.c_str()) << "re-executed from " << reexec;
  }
  EXPECT_NE(LoadedBlasName().find("(core " + core + ")"), std::string::npos) << LoadedBlasName();
}

}  // namespace
}  // namespace botm
