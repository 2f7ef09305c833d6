#!/usr/bin/env bash
# Reproduces the shipped model and every committed evaluation report (docs/TRAINING.md):
#   1. trains BOTM tiny@128 and its single-frame ablation (cross-frame block off) with the same
#      seed, steps and threads on synthetic echo (about 40 + 33 min on 2 free cores);
#   2. evaluates both on 24 held-out clips per difficulty bin (whole clips, clip-mode pairing,
#      one thread, so the numbers are bit-identical to the committed ones on the same BLAS);
#   3. runs the partner-frame diagnostic (BOTM with every frame paired with itself);
#   4. records the BOTM evaluation in the model card.
# Training is bit-reproducible for the same seed and thread count: keep --threads 2.
#
# Usage: scripts/reproduce-models.sh [BUILD_DIR] [--out DIR] [--eval_only]
#   BUILD_DIR    build folder (default build)
#   --out        where models and reports go (default models; writes models/botm-tiny-128.pt!)
#   --eval_only  skip training; evaluate the checkpoints already in --out
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="build"
out="${repo}/models"
eval_only=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --eval_only) eval_only=1; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    -*) echo "reproduce-models: unknown option $1" >&2; exit 64 ;;
    *) build="$1"; shift ;;
  esac
done
[[ "${build}" = /* ]] || build="${repo}/${build}"
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
train="${build}/core/train/botm-train"
evaluate="${build}/core/train/botm-eval"
mkdir -p "${out}/ablation" "${out}/logs" "${out}/reports"

# The recipe: everything not named here is botm-train's default (docs/TRAINING.md).
recipe=(--variant=tiny --input_size=128 --seed=1 --batch_size=8 --steps=3000 --threads=2
        --warmup_steps=150 --validate_every=200 --checkpoint_every=200 --validation_pairs=24
        --progress=false --resume=false)
if [[ "${eval_only}" -eq 0 ]]; then
  "${train}" "${recipe[@]}" --cross_frame=true --fp16 --out="${out}/botm-tiny-128.pt" \
    2>&1 | tee "${out}/logs/train-botm-tiny-128.log"
  "${train}" "${recipe[@]}" --cross_frame=false --fp16 \
    --out="${out}/ablation/botm-tiny-128-single.pt" \
    2>&1 | tee "${out}/logs/train-botm-tiny-128-single.log"
fi

bins=normal,low_snr,missing_wall,heavy_clutter,low_frame_rate
eval_args=(--bins="${bins}" --clips_per_bin=24 --max_frames=0 --threads=1 --progress=false)
"${evaluate}" "${eval_args[@]}" --model="${out}/botm-tiny-128.pt" \
  --out_dir="${out}/reports/botm-tiny-128" --update_card \
  > "${out}/logs/eval-botm-tiny-128.log"
"${evaluate}" "${eval_args[@]}" --model="${out}/ablation/botm-tiny-128-single.pt" \
  --out_dir="${out}/reports/botm-tiny-128-single" --update_card \
  > "${out}/logs/eval-botm-tiny-128-single.log"
"${evaluate}" "${eval_args[@]}" --model="${out}/botm-tiny-128.pt" --pairing=self \
  --example_plots=0 --out_dir="${out}/reports/botm-tiny-128-self-paired" \
  > "${out}/logs/eval-botm-tiny-128-self-paired.log"
echo "reports: ${out}/reports/{botm-tiny-128,botm-tiny-128-single,botm-tiny-128-self-paired}"
