// OpenBLAS kernel selection at start-up.
//
// Debian 12's OpenBLAS (0.3.21, DYNAMIC_ARCH) picks its kernels from the CPU's family and model
// number. A CPU newer than the library (measured: Intel family 6 model 207, "Emerald Rapids",
// with AVX-512) is not in its table and falls back to the Prescott (SSE3) kernels: the fp32
// matrix-multiply peak drops from ~140 to ~21 GFLOP/s on 2 cores and the model runs 1.7-2.3x
// slower (docs/PERFORMANCE.md, "The BLAS kernel"). Newer OpenBLAS releases fall back by
// instruction set instead; this does the same from outside: when the loaded OpenBLAS reports
// the Prescott core on a CPU with AVX2 or AVX-512, the process re-executes itself once with
// OPENBLAS_CORETYPE naming the kernel family the CPU can run (the variable is read only when
// the library loads, before main). An OPENBLAS_CORETYPE already set, even to Prescott, is the
// operator's choice and is kept; BOTM_BLAS_REEXEC marks the re-executed process so it never
// loops. No effect without OpenBLAS (the symbol is looked up at run time) or on a CPU it knows.
//
// Thread-safety: call MaybeReexecForBlasKernel once, first thing in main(), before any thread
// starts (it may replace the process image).
#ifndef BOTM_CORE_COMMON_BLAS_KERNEL_H_
#define BOTM_CORE_COMMON_BLAS_KERNEL_H_

#include <string>

#include "absl/strings/string_view.h"

namespace botm {

// What the CPU can run, as far as BLAS kernel families go.
struct CpuVectorFeatures {
  bool avx = false;
  bool avx2 = false;
  bool fma = false;
  bool avx512f = false;
  bool avx512bw = false;
  bool avx512dq = false;
  bool avx512vl = false;
};

// The features of the CPU this process runs on (CPUID, via the compiler's builtins).
CpuVectorFeatures DetectCpuVectorFeatures();

// The OPENBLAS_CORETYPE to use instead of `loaded_core` (what openblas_get_corename() returns),
// or "" to keep it: only the generic SSE fallbacks ("Prescott", "Core2", "Nehalem"; any case)
// are replaced, by "SkylakeX" for AVX-512 F/BW/DQ/VL, "Haswell" for AVX2 + FMA, "Sandybridge"
// for AVX.
std::string BetterOpenBlasCoreType(absl::string_view loaded_core, const CpuVectorFeatures& cpu);

// The loaded OpenBLAS's core name (e.g. "SkylakeX"), or "" when the process has no OpenBLAS.
std::string LoadedOpenBlasCore();

// Re-executes the process (same argv, via /proc/self/exe) with OPENBLAS_CORETYPE set when
// BetterOpenBlasCoreType says so and neither OPENBLAS_CORETYPE nor BOTM_BLAS_REEXEC is set.
// Returns only when nothing is to be done or the exec failed (then it prints why to stderr and
// the process goes on with the kernels it has).
void MaybeReexecForBlasKernel(char** argv);

}  // namespace botm

#endif  // BOTM_CORE_COMMON_BLAS_KERNEL_H_
