#include "core/common/blas_kernel.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "absl/strings/ascii.h"

namespace botm {

CpuVectorFeatures DetectCpuVectorFeatures() {
  CpuVectorFeatures f;
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  f.avx = __builtin_cpu_supports("avx");
  f.avx2 = __builtin_cpu_supports("avx2");
  f.fma = __builtin_cpu_supports("fma");
  f.avx512f = __builtin_cpu_supports("avx512f");
  f.avx512bw = __builtin_cpu_supports("avx512bw");
  f.avx512dq = __builtin_cpu_supports("avx512dq");
  f.avx512vl = __builtin_cpu_supports("avx512vl");
#endif
  return f;
}

std::string BetterOpenBlasCoreType(absl::string_view loaded_core, const CpuVectorFeatures& cpu) {
  const std::string core = absl::AsciiStrToLower(absl::StripAsciiWhitespace(loaded_core));
  if (core != "prescott" && core != "core2" && core != "nehalem") return "";
  if (cpu.avx512f && cpu.avx512bw && cpu.avx512dq && cpu.avx512vl) return "SkylakeX";
  if (cpu.avx2 && cpu.fma) return "Haswell";
  if (cpu.avx) return "Sandybridge";
  return "";
}

std::string LoadedOpenBlasCore() {
  using CoreName = char* (*)();
  auto fn = reinterpret_cast<CoreName>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  if (fn == nullptr) return "";
  const char* name = fn();
  return name == nullptr ? "" : std::string(name);
}

// The environment calls below are not thread-safe; the contract (header) is that this runs
// first in main(), before any thread exists.
// NOLINTBEGIN(concurrency-mt-unsafe)
void MaybeReexecForBlasKernel(char** argv) {
  if (argv == nullptr || argv[0] == nullptr) return;
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr || std::getenv("BOTM_BLAS_REEXEC") != nullptr) {
    return;
  }
  const std::string loaded = LoadedOpenBlasCore();
  const std::string better = BetterOpenBlasCoreType(loaded, DetectCpuVectorFeatures());
  if (better.empty()) return;
  // Both set before exec: the new image's OpenBLAS reads OPENBLAS_CORETYPE as it loads, and the
  // marker stops a second attempt whatever that library then reports.
  if (setenv("OPENBLAS_CORETYPE", better.c_str(), 1) != 0 ||
      setenv("BOTM_BLAS_REEXEC", loaded.c_str(), 1) != 0) {
    return;
  }
  execv("/proc/self/exe", argv);
  const int err = errno;
  std::fprintf(stderr,
               "warning: OpenBLAS runs its generic %s kernels on this CPU and re-executing with "
               "OPENBLAS_CORETYPE=%s failed (%s); set OPENBLAS_CORETYPE=%s in the environment "
               "for about 2x faster inference\n",
               loaded.c_str(), better.c_str(), std::strerror(err), better.c_str());
  unsetenv("OPENBLAS_CORETYPE");
}
// NOLINTEND(concurrency-mt-unsafe)

}  // namespace botm
