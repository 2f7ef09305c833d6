#!/usr/bin/env bash
# Reproduces the shipped model and every committed evaluation report (docs/TRAINING.md):
#   1. trains BOTM tiny@192 on synthetic echo with domain randomisation in three stages:
#      stage 1 from random weights (6000 steps, batch Dice: 94 min on 2 free cores, measured),
#      stage 2 a fine-tune from stage 1's fp32 state (1500 steps at a lower learning rate, a new
#      data seed, per-image Dice and half the pairs (ED, ES), so small systolic cavities weigh as
#      much as large diastolic ones: 24 min more, measured; see docs/TRAINING.md), stage 3 a
#      fine-tune from stage 2's released fp16 weights (750 steps, a quarter of the pairs
#      exported at a low resolution as 112x112 videos are: 17 min more, measured); with
#      --with_ablation, its single-frame ablation (cross-frame block off) by the same three
#      stages, same seeds, steps, data and threads (79 + 21 + 15 min, measured);
#   2. evaluates both on 24 held-out clips per bin: the five standard bins, the randomised
#      training distribution and the seven robustness bins (whole clips, clip-mode pairing, one
#      thread, so the numbers are bit-identical to the committed ones on the same BLAS);
#   3. runs the partner-frame evaluations of BOTM: every frame paired with itself, live pairing
#      as served (frame t with the frame 250 ms earlier, K from each clip's frame rate, written
#      into the card as its partner_interval_ms, with partner_offset 8 for streams of unknown
#      rate), live t-8 (the previous default) and live t-1;
#   4. records the evaluations in the model cards.
# Stage-1 and stage-2 checkpoints and states go to OUT/stages (git-ignored); the shipped
# checkpoints models/botm-tiny-192.pt and models/ablation/botm-tiny-192-single.pt are the
# stage-3 outputs, both trained by this recipe, each stage with one botm-train binary for both
# networks (stage 1 with the code of commit 0d3eb07, stage 2 of 8de739e, stage 3 of 70be0f3,
# where stage 3 read stage 2's shipped checkpoint, which had no state beside it: the same as
# --init_from_checkpoint here; docs/TRAINING.md).
# Training is bit-reproducible for the same seed and thread count: keep --threads 2.
#
# Usage: scripts/reproduce-models.sh [BUILD_DIR] [--out DIR] [--eval_only] [--finetune_only]
#                                    [--with_ablation] [--ablation_only]
#   BUILD_DIR    build folder (default build)
#   --out        where models and reports go (default models; writes models/botm-tiny-192.pt!)
#   --eval_only  skip training; evaluate the checkpoints already in --out
#   --finetune_only  skip stage 1; fine-tune from the stage-1 states already in OUT/stages
#   --stage3_only    skip stages 1 and 2; fine-tune from the stage-2 outputs in OUT/stages
#   --with_ablation  also train and evaluate the single-frame ablation
#   --ablation_only  train (unless --eval_only) and evaluate the single-frame ablation alone
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="build"
out="${repo}/models"
eval_only=0
finetune_only=0
ablation=0
botm=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --eval_only) eval_only=1; shift ;;
    --finetune_only) finetune_only=1; shift ;;
    --stage3_only) finetune_only=2; shift ;;
    --with_ablation) ablation=1; shift ;;
    --ablation_only) ablation=1; botm=0; shift ;;
    -h|--help) sed -n '2,34p' "$0"; exit 0 ;;
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
common=(--variant=tiny --input_size=192 --decoder_stride=4 --batch_size=8 --threads=2
        --validate_every=500 --checkpoint_every=500 --validation_pairs=24
        --difficulty_weights=0.15,0.02,0.06,0.06,0.06,0.05,0.6 --max_render_scale=2
        --crop_sector=true --input_norm=rank --progress=false --resume=false --fp16)
stage1=(--seed=1 --steps=6000 --warmup_steps=300)
stage2=(--seed=2 --steps=1500 --warmup_steps=50 --lr=3e-4 --per_image_dice=true
        --ed_es_probability=0.5)
# Stage 3 starts from stage 2's stored fp16 weights (as it was first run, from the release).
stage3=(--seed=3 --steps=750 --warmup_steps=50 --lr=2e-4 --per_image_dice=true
        --ed_es_probability=0.5 --lowres_probability=0.25 --min_lowres_frac=0.3
        --max_lowres_frac=0.9 --lowres_jpeg_probability=0.5 --validate_every=250
        --checkpoint_every=250 --init_from_checkpoint=true)
mkdir -p "${out}/stages"
# train_stages CROSS_FRAME STAGE_PREFIX SHIPPED_OUT LOG_NAME
train_stages() {
  if [[ "${finetune_only}" -eq 0 ]]; then
    "${train}" "${common[@]}" "${stage1[@]}" --cross_frame="$1" --out="$2-base.pt" \
      2>&1 | tee "${out}/logs/train-$4-stage1.log"
  fi
  if [[ "${finetune_only}" -le 1 ]]; then
    "${train}" "${common[@]}" "${stage2[@]}" --cross_frame="$1" --init_from="$2-base.pt" \
      --out="$2-stage2.pt" 2>&1 | tee "${out}/logs/train-$4-stage2.log"
  fi
  "${train}" "${common[@]}" "${stage3[@]}" --cross_frame="$1" --init_from="$2-stage2.pt" \
    --out="$3" 2>&1 | tee "${out}/logs/train-$4.log"
}
if [[ "${eval_only}" -eq 0 && "${botm}" -eq 1 ]]; then
  train_stages true "${out}/stages/${name}" "${out}/${name}.pt" "${name}"
fi
if [[ "${eval_only}" -eq 0 && "${ablation}" -eq 1 ]]; then
  train_stages false "${out}/stages/${name}-single" "${out}/ablation/${name}-single.pt" \
    "${name}-single"
fi

# Standard bins at the model's input size; the randomised family rendered at twice that (as a
# scanner export) and resized by the Segmenter.
partner_offset=8         # frames: the fallback for streams of unknown rate
partner_interval_ms=250  # time: what a stream that declares its frame rate gets
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
  # Live pairing as the server runs it: frame t with the frame 250 ms earlier (docs/TRAINING.md,
  # "The partner frame"), recorded in the card as its partner_interval_ms; with t-8 first, which
  # records partner_offset 8 (the fallback of a stream of unknown rate; the 250 ms run keeps it),
  # and with the adjacent frame t-1, for comparison.
  "${evaluate}" "${eval_args[@]}" --model="${out}/${name}.pt" --pairing=previous \
    --partner_offset="${partner_offset}" --example_plots=0 \
    --out_dir="${out}/reports/${name}-live-k8" --update_card > "${out}/logs/eval-${name}-live-k8.log"
  "${evaluate}" "${eval_args[@]}" --model="${out}/${name}.pt" --pairing=previous \
    --partner_interval_ms="${partner_interval_ms}" --example_plots=0 \
    --out_dir="${out}/reports/${name}-live" \
    --update_card > "${out}/logs/eval-${name}-live.log"
  "${evaluate}" "${eval_args[@]}" --model="${out}/${name}.pt" --pairing=previous \
    --partner_offset=1 --example_plots=0 --out_dir="${out}/reports/${name}-live-adjacent" \
    > "${out}/logs/eval-${name}-live-adjacent.log"
fi
# Scanner marks burned in around the sector (text, grey bar, ticks, marker, ECG; docs/TRAINING.md,
# "Burned-in annotations"): the input policy's sector region must leave them out.
if [[ "${botm}" -eq 1 ]]; then
  "${evaluate}" --bins=normal,randomized,padded_sector,real_like --clips_per_bin=24 --max_frames=0 \
    --threads=1 --progress=false --annotations --model="${out}/${name}.pt" \
    --out_dir="${out}/reports/${name}-annotated" > "${out}/logs/eval-${name}-annotated.log"
  # The same marks drawn against the sector's edge (no gap): a known weakness, measured.
  "${evaluate}" --bins=padded_sector,real_like --clips_per_bin=24 --max_frames=0 --threads=1 \
    --progress=false --annotations --annotations_touching --model="${out}/${name}.pt" \
    --out_dir="${out}/reports/${name}-annotated-touching" \
    > "${out}/logs/eval-${name}-annotated-touching.log"
fi
# Colour exports (an RGB/YBR DICOM: grey or tinted B-mode, a coloured ECG across the far field,
# coloured calipers inside the sector; with the marks above): the input policy leaves the colour
# out (docs/TRAINING.md, "Colour exports"); the plain-luminance run is the policy before.
if [[ "${botm}" -eq 1 ]]; then
  colour_args=(--bins=normal,randomized,padded_sector,real_like --clips_per_bin=24 --max_frames=0
               --threads=1 --progress=false --annotations --colour --model="${out}/${name}.pt")
  "${evaluate}" "${colour_args[@]}" --out_dir="${out}/reports/${name}-colour" \
    > "${out}/logs/eval-${name}-colour.log"
  "${evaluate}" "${colour_args[@]}" --colour_as_luminance \
    --out_dir="${out}/reports/${name}-colour-as-luminance" \
    > "${out}/logs/eval-${name}-colour-as-luminance.log"
fi
# Lossy exports (JPEG quality 90, as scanners archive cine loops; docs/TRAINING.md, "Lossy
# exports"), grey and colour, with the marks; and the 112 px export compressed at quality 75.
if [[ "${botm}" -eq 1 ]]; then
  lossy_args=(--bins=normal,randomized,padded_sector,real_like --clips_per_bin=24 --max_frames=0
              --threads=1 --progress=false --annotations --jpeg_quality=90
              --model="${out}/${name}.pt")
  "${evaluate}" "${lossy_args[@]}" --out_dir="${out}/reports/${name}-jpeg90" \
    > "${out}/logs/eval-${name}-jpeg90.log"
  "${evaluate}" "${lossy_args[@]}" --colour --out_dir="${out}/reports/${name}-colour-jpeg90" \
    > "${out}/logs/eval-${name}-colour-jpeg90.log"
  "${evaluate}" --bins=normal,randomized,padded_sector,heavy_haze,real_like --clips_per_bin=24 \
    --max_frames=0 --threads=1 --progress=false --export_size=112 --jpeg_quality=75 \
    --model="${out}/${name}.pt" --out_dir="${out}/reports/${name}-x112-jpeg75" \
    > "${out}/logs/eval-${name}-x112-jpeg75.log"
fi
# The low-resolution export check: the same clips rendered as above, then exported at 112x112
# (an EchoNet-style video) and scored there, for the bins where the export size matters.
x112_args=(--bins=normal,randomized,padded_sector,heavy_haze,real_like --clips_per_bin=24
           --max_frames=0 --threads=1 --progress=false --export_size=112)
if [[ "${botm}" -eq 1 ]]; then
  "${evaluate}" "${x112_args[@]}" --model="${out}/${name}.pt" \
    --out_dir="${out}/reports/${name}-x112" > "${out}/logs/eval-${name}-x112.log"
fi
if [[ "${botm}" -eq 1 ]]; then
  "${evaluate}" "${x112_args[@]}" --model="${out}/${name}.pt" --pairing=previous \
    --partner_interval_ms="${partner_interval_ms}" --out_dir="${out}/reports/${name}-x112-live" \
    > "${out}/logs/eval-${name}-x112-live.log"
  "${evaluate}" "${x112_args[@]}" --model="${out}/${name}.pt" --pairing=previous \
    --partner_offset="${partner_offset}" --out_dir="${out}/reports/${name}-x112-live-k8" \
    > "${out}/logs/eval-${name}-x112-live-k8.log"
fi
# The shipped model on hearts drawn by sampler revision 2 (walls kept plausible; docs/SYNTH.md,
# "Heart sampler revisions"), live at 250 ms, the eight shifted bins in two runs: the same seeds as
# the reports above, only the hearts whose walls revision 1 drew implausibly thick differ.
if [[ "${botm}" -eq 1 ]]; then
  for spec in "1 randomized,shift_gain,bright_cavity,padded_sector" \
              "2 dilated,truncated_atrium,heavy_haze,real_like"; do
    read -r part bins <<<"${spec}"
    "${evaluate}" --bins="${bins}" --clips_per_bin=24 --max_frames=0 --threads=1 --progress=false \
      --model="${out}/${name}.pt" --pairing=previous --partner_interval_ms="${partner_interval_ms}" \
      --example_plots=0 --anatomy_revision=2 \
      --out_dir="${out}/reports/${name}-live-anatomy2/part${part}" \
      > "${out}/logs/eval-${name}-live-anatomy2-part${part}.log"
  done
fi
if [[ "${ablation}" -eq 1 ]]; then
  "${evaluate}" "${x112_args[@]}" --model="${out}/ablation/${name}-single.pt" \
    --out_dir="${out}/reports/${name}-single-x112" > "${out}/logs/eval-${name}-single-x112.log"
fi
echo "reports under ${out}/reports: ${name}, ${name}-self-paired, ${name}-live," \
  "${name}-live-adjacent, ${name}-annotated, ${name}-colour, ${name}-colour-as-luminance," \
  "${name}-x112, ${name}-x112-live, ${name}-live-anatomy2" \
  "(BOTM); ${name}-single, ${name}-single-x112 (with --with_ablation or --ablation_only)"
