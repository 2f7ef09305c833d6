#!/usr/bin/env bash
# Builds botm-server, engine_test and server_test with ThreadSanitizer (build-tsan) and
# AddressSanitizer + UBSan (build-asan), then runs the tests under each. For CI or manual runs;
# slow.
#
# Caveat (measured 2026-11-25): Debian's absl, gRPC and LibTorch are not TSan-instrumented, so
# TSan cannot see absl::Mutex or gRPC's internal synchronisation and reports many races that
# are not ours; treat its output as leads, not verdicts. Measured again 2026-12-03 (commit
# 068c45b, 2 cores): server_test's admission tests (--gtest_filter='*SlotBeforeTheStatus*:
# *BrokenStreams*:*TooManyStreams*') gave 852 reports in 4 tests, 364 of them in operator delete
# and most of the rest inside libgrpc/libabsl frames; the model's measured capacity fell to 3-4
# frames/s and the loopback calls ended UNAVAILABLE where the tests expect their precise status
# (not traced further); halt_on_error stops at the first report. ASan/UBSan work with uninstrumented
# libraries (2026-12-03, commit 068c45b: engine_test 16/16 and server_test 59/59 passed with
# detect_leaks=1, no report; server_test 102 s).
#
# Usage: scripts/sanitize-server.sh [thread|address]...   (default: both)
#        JOBS=N to change the build parallelism (default 1); BOTM_CMAKE_ARGS adds CMake args.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
JOBS=${JOBS:-1}
kinds=("$@")
[ ${#kinds[@]} -eq 0 ] && kinds=(thread address)

for kind in "${kinds[@]}"; do
  case "$kind" in
    thread) dir=build-tsan ;;
    address) dir=build-asan ;;
    *) echo "unknown sanitizer '$kind' (thread | address)" >&2; exit 2 ;;
  esac
  echo "== $kind: building in $dir"
  mkdir -p "$ROOT/$dir"
  # GCC 12's -Wmaybe-uninitialized misfires inside LibTorch headers under the sanitizers.
  cmake -S "$ROOT" -B "$ROOT/$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DBOTM_SANITIZE="$kind" -DCMAKE_CXX_FLAGS="-Wno-error=maybe-uninitialized" \
    ${BOTM_CMAKE_ARGS:-} >/dev/null
  nice -n 10 ninja -C "$ROOT/$dir" -j"$JOBS" botm-server engine_test server_test
  echo "== $kind: running engine_test and server_test"
  if [ "$kind" = thread ]; then
    # LibTorch's OpenMP runtime is not TSan-instrumented: its races are not ours.
    export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 report_signal_unsafe=0 ${TSAN_OPTIONS:-}"
  else
    export ASAN_OPTIONS="detect_leaks=1 ${ASAN_OPTIONS:-}"
    export UBSAN_OPTIONS="print_stacktrace=1 halt_on_error=1 ${UBSAN_OPTIONS:-}"
  fi
  "$ROOT/$dir/tests/server/engine_test" --gtest_brief=1
  "$ROOT/$dir/tests/server/server_test" --gtest_brief=1
done
echo "== sanitizers passed: ${kinds[*]}"
