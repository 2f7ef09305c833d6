#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz: frame decoding, request validation, model-card
# reader) with clang, -fsanitize=fuzzer,address,undefined, in build-fuzz, and runs each for a
# bounded time on its committed seed corpus (tests/fuzz/corpus/<target>); inputs the fuzzer
# finds go to build-fuzz/corpus/<target> (not committed), crashes to build-fuzz/artifacts.
# Exits non-zero when a target crashes, leaks or breaks an invariant.
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET]    (default 30; CI uses the default)
#        FUZZ_TARGETS="fuzz_request ..." to run some; BOTM_FUZZ_BUILD_DIR, JOBS.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
dir="${BOTM_FUZZ_BUILD_DIR:-build-fuzz}"
jobs="${JOBS:-$(nproc)}"
targets=(${FUZZ_TARGETS:-fuzz_frame_decode fuzz_request fuzz_model_card})
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -G Ninja -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DBOTM_FUZZ=ON -DBOTM_BUILD_TESTS=OFF "${launcher[@]}" >/dev/null
start=$SECONDS
nice -n 5 ninja -C "$dir" -j"$jobs" "${targets[@]}"
echo "fuzz: built ${targets[*]} in $((SECONDS - start)) s"
mkdir -p "$dir/artifacts"
status=0
for t in "${targets[@]}"; do
  mkdir -p "$dir/corpus/$t"
  echo "== fuzz: $t for ${seconds} s"
  # UBSan reports abort (the build has -fno-sanitize-recover); leaks fail the run too.
  if ! UBSAN_OPTIONS="print_stacktrace=1 halt_on_error=1" \
       "$dir/tests/fuzz/$t" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2560 \
       -max_len=65536 -print_final_stats=1 -artifact_prefix="$dir/artifacts/$t-" \
       "$dir/corpus/$t" "tests/fuzz/corpus/$t" 2>"$dir/$t.log"; then
    status=1
    echo "fuzz: $t FAILED; last lines of $dir/$t.log:"
    tail -40 "$dir/$t.log"
  else
    grep -E "stat::number_of_executed_units|stat::new_units_added" "$dir/$t.log" | tr '\n' ' '
    echo
  fi
done
exit "$status"
