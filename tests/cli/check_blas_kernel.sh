#!/usr/bin/env bash
# The BLAS kernel check every tool runs at start-up (core/common/blas_kernel.h), from outside:
# botm-model-bench names OpenBLAS's core in its BLAS line. An OPENBLAS_CORETYPE set by the caller
# is kept (even the generic one); without it, a CPU with AVX2 never runs the generic SSE cores.
# Usage: check_blas_kernel.sh BOTM_MODEL_BENCH
set -euo pipefail
bench="$1"
core_of() {
  "$@" --configs tiny:64 --iters 1 --threads 1 --peak_n 0 --train_batch 0 --model none 2>&1 |
    sed -n "s/.*BLAS .*(core \([A-Za-z0-9]*\)).*/\1/p"
}
chosen="$(core_of env -u BOTM_BLAS_REEXEC OPENBLAS_CORETYPE=Haswell "$bench")"
[[ "$chosen" == "Haswell" ]] || { echo "OPENBLAS_CORETYPE=Haswell gave core '$chosen'"; exit 1; }
kept="$(core_of env -u BOTM_BLAS_REEXEC OPENBLAS_CORETYPE=Prescott "$bench")"
[[ "$kept" == "Prescott" ]] || { echo "OPENBLAS_CORETYPE=Prescott gave core '$kept'"; exit 1; }
auto="$(core_of env -u OPENBLAS_CORETYPE -u BOTM_BLAS_REEXEC "$bench")"
[[ -n "$auto" ]] || { echo "no core named in the BLAS line"; exit 1; }
if grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo; then
  case "$auto" in
    Prescott|Core2|Nehalem) echo "generic core $auto on a CPU with AVX2"; exit 1 ;;
  esac
fi
echo "blas kernel: chosen $chosen, kept $kept, automatic $auto"
