#!/usr/bin/env bash
# Reproduces the shipped model and every committed evaluation report (docs/TRAINING.md):
#   1. trains BOTM tiny@192 on synthetic echo with domain randomisation (6000 steps: 94 min on
#      2 free cores, measured) and, with --with_ablation, its single-frame ablation (cross-frame
#      block off; same seed, steps, data and threads; 79 min more, measured);
#   2. evaluates both on 24 held-out clips per bin: the five standard bins, the randomised
#      training distribution and the seven robustness bins (whole clips, clip-mode pairing, one
#      thread, so the numbers are bit-identical to the committed ones on the same BLAS);
#   3. runs the partner-frame diagnostics (BOTM with every frame paired with itself, and live
#      t-1 pairing);
#   4. records the evaluations in the model cards.
# The committed set has both: models/botm-tiny-192.pt and models/ablation/botm-tiny-192-single.pt,
# trained by this recipe with the same botm-train binary (docs/TRAINING.md).
# Training is bit-reproducible for the same seed and thread count: keep --threads 2.
#
# Usage: scripts/reproduce-models.sh [BUILD_DIR] [--out DIR] [--eval_only] [--with_ablation]
#                                    [--ablation_only]
#   BUILD_DIR    build folder (default build)
#   --out        where models and reports go (default models; writes models/botm-tiny-192.pt!)
#   --eval_only  skip training; evaluate the checkpoints already in --out
#   --with_ablation  also train and evaluate the single-frame ablation
#   --ablation_only  train (unless --eval_only) and evaluate the single-frame ablation alone
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="build"
out="${repo}/models"
eval_only=0
ablation=0
botm=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --eval_only) eval_only=1; shift ;;
    --with_ablation) ablation=1; shift ;;
    --ablation_only) ablation=1; botm=0; shift ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    -*) echo "reproduce-models: unknown option $1" >&2; exit 64 ;;
    *) build="$1"; shift ;;
  esac
done
[[ "${build}" = /* ]] || build="${repo}/${build}"
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
train="${build}/core/train/botm-train"
evaluate="${build}/core/train/botm-eval"
mkdir -p "${out}/ablation" "${out}/logs" "${out}/reports"
name=botm-tiny-192

# The recipe: everything not named here is botm-train's default (docs/TRAINING.md).
recipe=(--variant=tiny --input_size=192 --decoder_stride=4 --seed=1 --batch_size=8 --steps=6000
        --threads=2 --warmup_steps=300 --validate_every=500 --checkpoint_every=500
        --validation_pairs=24 --difficulty_weights=0.15,0.02,0.06,0.06,0.06,0.05,0.6
        --max_render_scale=2 --crop_sector=true --input_norm=rank --progress=false --resume=false)
if [[ "${eval_only}" -eq 0 && "${botm}" -eq 1 ]]; then
  "${train}" "${recipe[@]}" --cross_frame=true --fp16 --out="${out}/${name}.pt" \
    2>&1 | tee "${out}/logs/train-${name}.log"
fi
if [[ "${eval_only}" -eq 0 && "${ablation}" -eq 1 ]]; then
  "${train}" "${recipe[@]}" --cross_frame=false --fp16 --out="${out}/ablation/${name}-single.pt" \
    2>&1 | tee "${out}/logs/train-${name}-single.log"
fi

# Standard bins at the model's input size; the randomised family rendered at twice that (as a
# scanner export) and resized by the Segmenter.
eval_args=(--bins=standard,randomized,robustness --clips_per_bin=24 --max_frames=0 --threads=1
           --progress=false)
if [[ "${botm}" -eq 1 ]]; then
  "${evaluate}" "${eval_args[@]}" --model="${out}/${name}.pt" \
    --out_dir="${out}/reports/${name}" --update_card > "${out}/logs/eval-${name}.log"
fi
if [[ "${ablation}" -eq 1 ]]; then
  "${evaluate}" "${eval_args[@]}" --model="${out}/ablation/${name}-single.pt" \
    --out_dir="${out}/reports/${name}-single" --update_card > "${out}/logs/eval-${name}-single.log"
fi
if [[ "${botm}" -eq 1 ]]; then
  "${evaluate}" "${eval_args[@]}" --model="${out}/${name}.pt" --pairing=self --example_plots=0 \
    --out_dir="${out}/reports/${name}-self-paired" > "${out}/logs/eval-${name}-self-paired.log"
  "${evaluate}" "${eval_args[@]}" --model="${out}/${name}.pt" --pairing=previous \
    --example_plots=0 --out_dir="${out}/reports/${name}-live" > "${out}/logs/eval-${name}-live.log"
fi
echo "reports under ${out}/reports: ${name}, ${name}-self-paired, ${name}-live (BOTM);" \
  "${name}-single (with --with_ablation or --ablation_only)"
