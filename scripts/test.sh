#!/usr/bin/env bash
# Runs every test of the project against an existing build (scripts/build.sh makes it):
#   1. the GoogleTest suites (ctest: unit tests and the real server on loopback),
#   2. command-line smoke checks: a few training steps, a short evaluation, the served demo,
#      that botm-eval on the shipped model reproduces the committed report (normal bin), and
#      the benchmark tools end to end at the smallest settings (numbers not checked),
#   3. the Helm chart checks (real helm lint/template + Kubernetes schema validation),
#   4. the API checks (buf lint, buf breaking against the committed previous API),
#   5. the libFuzzer targets, 30 s each (the stream fuzzer runs in ctest, in server_test).
# Prints one closing line "N passed, N failed" over the stages and exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
# LibTorch's OpenMP threads spin at barriers by default; on a shared 2-core machine (tests run
# two at a time) spinning makes inference 5-30x slower. Passive waiting costs nothing measurable
# when the cores are free. libgomp reads this at load time, so it must be in the environment.
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
build_dir="${BOTM_BUILD_DIR:-build}"
jobs="${BOTM_JOBS:-$(nproc)}"
smoke_dir="$(mktemp -d /tmp/botm-smoke.XXXXXX)"
trap 'rm -rf "$smoke_dir"' EXIT
passed=0
failed=0
failed_names=()

stage() {  # stage NAME COMMAND...
  local name="$1"; shift
  echo "==== test stage: $name"
  local start=$SECONDS
  if "$@"; then
    passed=$((passed + 1)); echo "==== $name: ok ($((SECONDS - start)) s)"
  else
    failed=$((failed + 1)); failed_names+=("$name"); echo "==== $name: FAILED ($((SECONDS - start)) s)"
  fi
}

run_ctest() {
  ctest --test-dir "$build_dir" --output-on-failure -j "$jobs" --timeout 900
}

smoke_train() {
  "$build_dir/core/train/botm-train" --steps 3 --batch_size 2 --warmup_steps 1 \
    --validate_every 0 --validation_pairs 2 --progress=false --out "$smoke_dir/smoke.pt" &&
  test -s "$smoke_dir/smoke.pt" && test -s "$smoke_dir/smoke.json" &&
  # the recipe's second stage: a fine-tune from that run's state, per-image Dice
  "$build_dir/core/train/botm-train" --steps 2 --batch_size 2 --warmup_steps 1 \
    --validate_every 0 --validation_pairs 2 --progress=false --init_from "$smoke_dir/smoke.pt" \
    --per_image_dice --ed_es_probability 0.5 --seed 2 --out "$smoke_dir/smoke-ft.pt" &&
  grep -q '"init_from"' "$smoke_dir/smoke-ft.json" &&
  # the third stage: from the second's stored weights, with low-resolution exports
  "$build_dir/core/train/botm-train" --steps 2 --batch_size 2 --warmup_steps 1 \
    --validate_every 0 --validation_pairs 2 --progress=false --init_from "$smoke_dir/smoke-ft.pt" \
    --init_from_checkpoint --lowres_probability 1 --seed 3 --out "$smoke_dir/smoke-ft3.pt" &&
  grep -q 'stored fp32 weights' "$smoke_dir/smoke-ft3.json"
}

smoke_eval() {
  "$build_dir/core/train/botm-eval" --model "$smoke_dir/smoke.pt" --bins normal \
    --clips_per_bin 1 --max_frames 8 --progress=false --out_dir "$smoke_dir/eval" &&
  test -s "$smoke_dir/eval/report.json" && test -s "$smoke_dir/eval/report.md" &&
  "$build_dir/core/train/botm-eval" --model "$smoke_dir/smoke.pt" --bins real_like \
    --clips_per_bin 1 --max_frames 4 --export_size 112 --progress=false \
    --out_dir "$smoke_dir/eval-x112" &&
  grep -q 'exported at 112 px' "$smoke_dir/eval-x112/report.json"
}

# The committed evaluations of the shipped model and of its single-frame ablation must be
# reproducible: re-run each one's normal bin with the settings recorded in the report (24
# held-out clips, whole clips, one thread) and compare every metric (docs/TRAINING.md). One
# thread matches the committed run; the tolerance only absorbs BLAS kernel differences between
# CPU models (a changed pixel moves Dice by ~1e-5).
reproduce_report() {
  local model
  for model in botm-tiny-192 ablation/botm-tiny-192-single; do
    "$build_dir/core/train/botm-eval" --bins normal --clips_per_bin 24 --max_frames 0 \
      --threads 1 --example_plots 0 --progress=false --model "models/${model}.pt" \
      --expect "models/reports/$(basename "$model")/report.json" --tolerance 1e-3 > /dev/null ||
      return 1
  done
  # Scanner marks burned in around padded sectors: the input policy's sector region must keep
  # the committed numbers (the whole-frame crop of before gave LV Dice 0.16 here).
  "$build_dir/core/train/botm-eval" --bins padded_sector --clips_per_bin 24 --max_frames 0 \
    --threads 1 --example_plots 0 --progress=false --annotations \
    --model models/botm-tiny-192.pt --expect models/reports/botm-tiny-192-annotated/report.json \
    --tolerance 1e-3 > /dev/null || return 1
  # The same as colour exports (tinted B-mode, a coloured ECG across the sector, calipers): the
  # colour overlays must be left out (read as plain luminance, LV Dice was 0.64 here).
  "$build_dir/core/train/botm-eval" --bins padded_sector --clips_per_bin 24 --max_frames 0 \
    --threads 1 --example_plots 0 --progress=false --annotations --colour \
    --model models/botm-tiny-192.pt --expect models/reports/botm-tiny-192-colour/report.json \
    --tolerance 1e-3 > /dev/null || return 1
  # Lossy (JPEG quality 90) exports with the marks: the ringing must not join the marks to the
  # sector (with the region found on faint pixels too, LV Dice was 0.82 here).
  "$build_dir/core/train/botm-eval" --bins padded_sector --clips_per_bin 24 --max_frames 0 \
    --threads 1 --example_plots 0 --progress=false --annotations --jpeg_quality 90 \
    --model models/botm-tiny-192.pt --expect models/reports/botm-tiny-192-jpeg90/report.json \
    --tolerance 1e-3 > /dev/null
}

smoke_demo() {
  bash scripts/demo.sh "$build_dir" --out "$smoke_dir/demo" &&
  test -s "$smoke_dir/demo/summary.json" && test -s "$smoke_dir/demo/overlay.gif"
}

# The benchmark tools run end to end (a 1-cell threading matrix with its served run, the model
# bench at input 64); only that they finish and write their JSON, never their numbers.
smoke_bench() {
  bash scripts/bench-threads.sh "$build_dir" --out "$smoke_dir/threads" --duration 1 --rounds 1 \
    --streams 1,2 --instances 1 --threads 1 --policies PASSIVE --backgrounds idle > /dev/null &&
  grep -q '"recommended"' "$smoke_dir/threads/matrix.json" &&
  test "$(wc -l < "$smoke_dir/threads/winners.txt")" -eq 2 &&
  "$build_dir/core/model/botm-model-bench" --configs tiny:64 --iters 1 --threads 1 --peak_n 128 \
    --train_batch 0 --sweep_clips 1 --sweep_frames 3 --sweep_frame_size 64 \
    --json "$smoke_dir/model-bench.json" > /dev/null 2>&1 &&
  grep -q '"sinkhorn_sweep"' "$smoke_dir/model-bench.json"
}

stage ctest run_ctest
stage smoke-train smoke_train
stage smoke-eval smoke_eval
stage reproduce-report reproduce_report
stage demo smoke_demo
stage bench smoke_bench
stage helm bash scripts/check-helm.sh
stage proto bash scripts/check-proto.sh
stage fuzz bash scripts/fuzz.sh "${BOTM_FUZZ_SECONDS:-30}"

echo
if [ "$failed" -gt 0 ]; then echo "failed stages: ${failed_names[*]}"; fi
echo "stages: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
