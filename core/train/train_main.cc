// botm-train: trains a BOTM network on synthetic echo (default) or a CAMUS/TED folder.
// Example (the shipped model, see docs/TRAINING.md):
//   botm-train --variant=tiny --input_size=128 --time_budget_min=40 --threads=1
//              --out=models/botm-tiny-192.pt
#include <cstdio>
#include <string>

#include <spdlog/spdlog.h>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "core/common/allocator_tuning.h"
#include "core/common/flags.h"
#include "core/model/segmenter.h"
#include "core/train/trainer.h"

ABSL_FLAG(std::string, variant, "tiny", "encoder variant: tiny | b2");
ABSL_FLAG(int, input_size, 128, "square model input in pixels (multiple of 32)");
ABSL_FLAG(bool, cross_frame, true, "false trains the single-frame ablation");
ABSL_FLAG(int, decoder_stride, 4, "4: SegFormer head; 2: plus a stride-2 stem and refinement");
ABSL_FLAG(std::string, ot_stages, "2,3", "0-based encoder stages with token matching");
ABSL_FLAG(std::string, data, "synthetic", "'synthetic' or a CAMUS/TED folder");
ABSL_FLAG(std::string, out, "models/botm-tiny-192.pt", "checkpoint path (card and state beside)");
ABSL_FLAG(bool, resume, true, "continue from the checkpoint's training state if present");
ABSL_FLAG(std::string, init_from, "",
          "fine-tune: start from the fp32 weights of this checkpoint's training state (.state), "
          "or from the checkpoint's weights when it has none");
ABSL_FLAG(bool, init_from_checkpoint, false,
          "fine-tune from init_from's stored (released, possibly fp16) weights even when its "
          "fp32 state is there");
ABSL_FLAG(uint64_t, seed, 1, "run seed (initialisation, data stream, augmentation)");
ABSL_FLAG(int, batch_size, 8, "pairs per step");
ABSL_FLAG(int64_t, steps, 3000, "schedule length (upper bound with --time_budget_min)");
ABSL_FLAG(int64_t, stop_after_steps, 0, "stop this invocation after N steps (0 = no limit)");
ABSL_FLAG(double, time_budget_min, 0, "wall-clock budget; plans the schedule from the step rate");
ABSL_FLAG(int, calibration_steps, 30, "steps timed before planning a budgeted schedule");
ABSL_FLAG(double, lr, 1e-3, "peak learning rate (AdamW)");
ABSL_FLAG(int64_t, warmup_steps, 150, "linear warm-up steps");
ABSL_FLAG(double, weight_decay, 0.01, "AdamW weight decay");
ABSL_FLAG(bool, augment, true, "geometric + photometric augmentation");
ABSL_FLAG(double, lowres_probability, 0.0,
          "share of pairs exported at a low resolution and upsampled back (112x112 videos)");
ABSL_FLAG(double, min_lowres_frac, 0.4,
          "low-res pairs: the sector spans U(min_lowres_frac, max_lowres_frac) x input_size px");
ABSL_FLAG(double, max_lowres_frac, 1.0, "see min_lowres_frac");
ABSL_FLAG(double, lowres_jpeg_probability, 0.5, "share of low-res pairs also JPEG-compressed");
ABSL_FLAG(bool, per_image_dice, false, "soft Dice per image (small cavities weigh as large ones)");
ABSL_FLAG(double, ed_es_probability, 0.25, "share of (ED, ES) training pairs");
ABSL_FLAG(int, max_partner_offset, 3,
          "other pairs: the partner is up to this many frames from the target (0..64)");
ABSL_FLAG(int, anatomy_revision, 1,
          "synthetic heart sampler revision: 1 (every shipped model) or 2 (walls kept plausible; "
          "docs/SYNTH.md)");
ABSL_FLAG(std::string, difficulty_weights, "0.15,0.02,0.06,0.06,0.06,0.05,0.6",
          "synthetic bin weights: normal,easy,low_snr,missing_wall,heavy_clutter,low_frame_rate"
          "[,randomized] (the robustness bins are never trained on)");
ABSL_FLAG(double, min_render_scale, 1.0,
          "render synthetic frames from this multiple of the input size (< 1: low-res exports)");
ABSL_FLAG(double, max_render_scale, 2.0,
          "synthetic frames are rendered at input_size x U(min_render_scale, this), then cropped "
          "and resized");
ABSL_FLAG(bool, crop_sector, true, "input policy: crop each frame to its sector's bounding box");
ABSL_FLAG(std::string, input_norm, "rank", "input policy: none | rank (in-sector equalisation)");
ABSL_FLAG(int, threads, 0, "torch intra-op threads (0 = all cores)");
ABSL_FLAG(botm::Device, device, botm::Device::kAuto, "auto | cpu | cuda");
ABSL_FLAG(int, checkpoint_every, 200, "steps between checkpoints");
ABSL_FLAG(int, validate_every, 200, "steps between validations");
ABSL_FLAG(int, validation_pairs, 24, "held-out validation pairs");
ABSL_FLAG(bool, fp16, false, "store the checkpoint weights as half");
ABSL_FLAG(bool, progress, true, "draw a progress bar");
ABSL_FLAG(std::string, preview, "",
          "write a PNG of the first training pairs as the model sees them, then exit");
ABSL_FLAG(int, preview_pairs, 8, "pairs in the --preview picture");

namespace {

bool ParseList(const std::string& text, std::vector<double>* out) {
  out->clear();
  for (absl::string_view t : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    double v = 0;
    if (!absl::SimpleAtod(t, &v)) return false;
    out->push_back(v);
  }
  return !out->empty();
}

}  // namespace

int main(int argc, char** argv) {
  botm::ParseFlags(argc, argv, __FILE__,
                   "Trains a BOTM echo segmentation model. See docs/TRAINING.md.");
  botm::TuneAllocatorForBatchJob();  // keep freed tensors' pages (core/common/allocator_tuning.h)
  botm::train::TrainOptions o;
  o.model.variant = absl::GetFlag(FLAGS_variant);
  o.model.input_size = absl::GetFlag(FLAGS_input_size);
  o.model.cross_frame = absl::GetFlag(FLAGS_cross_frame);
  o.model.decoder_stride = absl::GetFlag(FLAGS_decoder_stride);
  std::vector<double> stages, weights;
  if (!ParseList(absl::GetFlag(FLAGS_ot_stages), &stages) ||
      !ParseList(absl::GetFlag(FLAGS_difficulty_weights), &weights)) {
    std::fprintf(stderr, "bad --ot_stages or --difficulty_weights (comma-separated numbers)\n");
    return 2;
  }
  o.model.ot_stages.assign(stages.begin(), stages.end());
  o.pairs.difficulty_weights = weights;
  o.pairs.size_px = o.model.input_size;
  o.pairs.min_render_scale = absl::GetFlag(FLAGS_min_render_scale);
  o.pairs.max_render_scale = absl::GetFlag(FLAGS_max_render_scale);
  o.model.crop_sector = absl::GetFlag(FLAGS_crop_sector);
  o.model.input_norm = absl::GetFlag(FLAGS_input_norm);
  o.data = absl::GetFlag(FLAGS_data);
  o.out_path = absl::GetFlag(FLAGS_out);
  o.resume = absl::GetFlag(FLAGS_resume);
  o.init_from = absl::GetFlag(FLAGS_init_from);
  o.init_from_checkpoint = absl::GetFlag(FLAGS_init_from_checkpoint);
  o.per_image_dice = absl::GetFlag(FLAGS_per_image_dice);
  o.pairs.ed_es_probability = absl::GetFlag(FLAGS_ed_es_probability);
  o.pairs.max_offset = absl::GetFlag(FLAGS_max_partner_offset);
  o.pairs.anatomy_revision = absl::GetFlag(FLAGS_anatomy_revision);
  o.seed = absl::GetFlag(FLAGS_seed);
  o.batch_size = absl::GetFlag(FLAGS_batch_size);
  o.steps = absl::GetFlag(FLAGS_steps);
  o.stop_after_steps = absl::GetFlag(FLAGS_stop_after_steps);
  o.time_budget_min = absl::GetFlag(FLAGS_time_budget_min);
  o.calibration_steps = absl::GetFlag(FLAGS_calibration_steps);
  o.schedule.base_lr = absl::GetFlag(FLAGS_lr);
  o.schedule.warmup_steps = absl::GetFlag(FLAGS_warmup_steps);
  o.weight_decay = absl::GetFlag(FLAGS_weight_decay);
  o.augment.enabled = absl::GetFlag(FLAGS_augment);
  o.augment.lowres_probability = absl::GetFlag(FLAGS_lowres_probability);
  o.augment.min_lowres_frac = absl::GetFlag(FLAGS_min_lowres_frac);
  o.augment.max_lowres_frac = absl::GetFlag(FLAGS_max_lowres_frac);
  o.augment.jpeg_probability = absl::GetFlag(FLAGS_lowres_jpeg_probability);
  o.threads = absl::GetFlag(FLAGS_threads);
  o.device = AbslUnparseFlag(absl::GetFlag(FLAGS_device));
  o.checkpoint_every_steps = absl::GetFlag(FLAGS_checkpoint_every);
  o.validate_every_steps = absl::GetFlag(FLAGS_validate_every);
  o.validation_pairs = absl::GetFlag(FLAGS_validation_pairs);
  o.fp16_checkpoint = absl::GetFlag(FLAGS_fp16);
  o.progress = absl::GetFlag(FLAGS_progress);
  if (const std::string preview = absl::GetFlag(FLAGS_preview); !preview.empty()) {
    const absl::Status s =
        botm::train::WritePreview(o, preview, absl::GetFlag(FLAGS_preview_pairs));
    if (!s.ok()) {
      spdlog::error("{}", s.ToString());
      return 1;
    }
    std::printf("wrote %s\n", preview.c_str());
    return 0;
  }
  auto summary = botm::train::Train(o);
  if (!summary.ok()) {
    spdlog::error("{}", summary.status().ToString());
    return 1;
  }
  std::printf("steps %lld/%lld  wall %.0f s  %.1f img/s  loss %.4f\n",
              static_cast<long long>(summary->steps_done),
              static_cast<long long>(summary->total_steps), summary->wall_s, summary->images_per_s,
              summary->last_loss);
  return 0;
}
