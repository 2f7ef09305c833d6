// botm-eval: evaluates a BOTM checkpoint on held-out synthetic clips per difficulty bin (default)
// or on a CAMUS/TED folder; writes report.json, report.md and PNG plots.
// Example (see docs/TRAINING.md):
//   botm-eval --model=models/botm-tiny-192.pt --bins=normal,low_snr --clips_per_bin=8
//             --out_dir=models/reports/botm-tiny-192
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <spdlog/spdlog.h>

#include "absl/flags/flag.h"
#include "absl/strings/str_split.h"
#include "core/common/allocator_tuning.h"
#include "core/common/flags.h"
#include "core/model/model_card.h"
#include "core/train/evaluator.h"

ABSL_FLAG(std::string, model, "", "checkpoint (.pt with its .json card); empty = shipped model");
ABSL_FLAG(std::string, data, "synthetic", "'synthetic' or a CAMUS/TED folder");
ABSL_FLAG(
    std::string, bins, "normal,low_snr,missing_wall,heavy_clutter,low_frame_rate",
    "synthetic difficulty bins, comma separated; also 'all' (every bin), 'standard' "
    "(normal..low_frame_rate), 'robustness' (the held-out shifted bins shift_gain..real_like)");
ABSL_FLAG(int, clips_per_bin, 6, "held-out clips per bin");
ABSL_FLAG(int, size, 0, "synthetic frame size of the standard bins (0 = the model's input size)");
ABSL_FLAG(int, robust_size, 0,
          "frame size of the randomised family / robustness bins (0 = twice the model's input)");
ABSL_FLAG(int, export_size, 0,
          "when > 0, synthetic frames are exported at this size after rendering (a low-resolution "
          "video such as a 112x112 EchoNet-style AVI; truth by majority vote) and scored there");
ABSL_FLAG(int, anatomy_revision, 1,
          "synthetic heart sampler revision of the held-out clips: 1 (the committed reports) or 2 "
          "(walls kept plausible; docs/SYNTH.md)");
ABSL_FLAG(bool, annotations, false,
          "burn scanner annotations (text, grey-scale bar, depth ticks, orientation marker, ECG "
          "trace) into the synthetic frames outside the sector; the truth is unchanged");
ABSL_FLAG(bool, annotations_touching, false,
          "with --annotations: the marks beside the sector (depth ticks, ECG) abut its "
          "edge instead of keeping a gap of 2-5 % of the width");
ABSL_FLAG(bool, colour, false,
          "export the synthetic frames in colour as a scanner's RGB DICOM does (grey or tinted "
          "B-mode, a coloured ECG across the sector's far field, coloured calipers inside it); "
          "the truth is unchanged");
ABSL_FLAG(bool, colour_as_luminance, false,
          "with --colour: turn the frames to plain luminance before the model (the input policy "
          "before it left colour overlays out), for comparison");
ABSL_FLAG(int, jpeg_quality, 0,
          "store and read back every synthetic frame as baseline JPEG at this quality (1..100; "
          "0 = lossless), as lossy DICOM and video exports carry them; with --export_size the "
          "frames are compressed at the export's size");
ABSL_FLAG(int, max_frames, 48, "frames per clip (0 = whole clip)");
ABSL_FLAG(int, max_clips, 0, "folder: clips to evaluate (0 = all)");
ABSL_FLAG(botm::Device, device, botm::Device::kAuto, "auto | cpu | cuda");
ABSL_FLAG(int, threads, 0, "torch intra-op threads (0 = all cores)");
ABSL_FLAG(int, batch_size, 4, "pairs per decode batch");
ABSL_FLAG(std::string, out_dir, "",
          "folder for report.json, report.md and PNGs (empty = stdout only)");
ABSL_FLAG(std::string, pairing, "next",
          "partner frame: next (clip mode, t+1), previous (live, t-1) or self (no temporal "
          "information; a diagnostic)");
ABSL_FLAG(int, partner_offset, 0,
          "previous pairing: frame t with t-K (0 = the model card's partner_offset); with "
          "--update_card the card records it");
ABSL_FLAG(int, partner_interval_ms, 0,
          "previous pairing: the partner in time, frame t with t-K, K = round(ms x fps / 1000) "
          "from each clip's frame rate (0 = the card's partner_interval_ms; exclusive with "
          "--partner_offset); with --update_card the card records it");
ABSL_FLAG(int, example_plots, 1, "clips per bin with area-curve and overlay PNGs");
ABSL_FLAG(bool, progress, true, "draw a progress bar");
ABSL_FLAG(std::string, expect, "",
          "a committed report.json this run must reproduce (exit 3 naming each differing metric)");
ABSL_FLAG(bool, update_card, false,
          "write the summary (normal bin and all bins, data, pairing, report path) into the "
          "model card's metrics.eval_synthetic_held_out (needs --out_dir)");
ABSL_FLAG(double, tolerance, 1e-6,
          "--expect: allowed absolute difference per metric (scaled by max(1, |expected|))");

namespace {

// Records the evaluation in the checkpoint's model card (NAME.json beside NAME.pt), only when the
// card describes the evaluated weights (same sha256). A live (previous-pairing) evaluation goes
// to its own metrics key and sets the card's partner_offset: the pairing that was measured is
// the one the server then uses.
absl::Status UpdateCard(const botm::train::EvalOptions& o, const nlohmann::json& report) {
  const std::string path =
      botm::ModelCardPathFor(o.model_path.empty() ? botm::DefaultModelPath() : o.model_path);
  absl::StatusOr<botm::ModelCard> card = botm::ReadModelCard(path);
  if (!card.ok()) return card.status();
  if (card->weights_sha256 != report["model"].value("weights_sha256", "?")) {
    return absl::FailedPreconditionError("the card's weights_sha256 differs from the model's");
  }
  nlohmann::json summary = {{"report", (std::filesystem::path(o.out_dir) / "report.md").string()},
                            {"data", report["data"]},
                            {"pairing", report["pairing"]}};
  if (report["bins"].contains("normal")) summary["normal"] = report["bins"]["normal"];
  summary["all_bins"] = report["all"];
  if (report.contains("partner_offset")) {
    card->partner_offset = report["partner_offset"].get<int>();
    summary["partner_offset"] = card->partner_offset;
    // A frames-only evaluation clears the card's interval: the card serves what was measured.
    card->partner_interval_ms = report.value("partner_interval_ms", 0);
    summary["partner_interval_ms"] = card->partner_interval_ms;
    card->metrics["eval_synthetic_held_out_live"] = summary;
  } else {
    card->metrics["eval_synthetic_held_out"] = summary;
  }
  if (absl::Status s = botm::WriteModelCard(*card, path); !s.ok()) return s;
  spdlog::info("updated {}", path);
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  botm::ParseFlags(argc, argv, __FILE__, "Evaluates a BOTM checkpoint. See docs/TRAINING.md.");
  botm::TuneAllocatorForBatchJob();  // keep freed tensors' pages (core/common/allocator_tuning.h)
  botm::train::EvalOptions o;
  o.model_path = absl::GetFlag(FLAGS_model);
  o.data = absl::GetFlag(FLAGS_data);
  o.bins.clear();
  for (absl::string_view name : absl::StrSplit(absl::GetFlag(FLAGS_bins), ',', absl::SkipEmpty())) {
    using botm::synth::Difficulty;
    const bool all = name == "all", standard = name == "standard", robust = name == "robustness";
    if (all || standard || robust) {
      for (int i = 0; i < botm::synth::kNumDifficulties; ++i) {
        const Difficulty d = static_cast<Difficulty>(i);
        const bool is_standard = i < static_cast<int>(Difficulty::kRandomized);
        if (all || (standard && is_standard) || (robust && botm::synth::IsRobustnessBin(d))) {
          o.bins.push_back(d);
        }
      }
      continue;
    }
    auto d = botm::synth::ParseDifficulty(name);
    if (!d.ok()) {
      std::fprintf(stderr, "%s\n", d.status().ToString().c_str());
      return 2;
    }
    o.bins.push_back(*d);
  }
  o.clips_per_bin = absl::GetFlag(FLAGS_clips_per_bin);
  o.size_px = absl::GetFlag(FLAGS_size);
  o.robust_size_px = absl::GetFlag(FLAGS_robust_size);
  o.export_size_px = absl::GetFlag(FLAGS_export_size);
  o.anatomy_revision = absl::GetFlag(FLAGS_anatomy_revision);
  o.annotations = absl::GetFlag(FLAGS_annotations);
  o.annotations_touching = absl::GetFlag(FLAGS_annotations_touching);
  o.colour = absl::GetFlag(FLAGS_colour);
  o.colour_as_luminance = absl::GetFlag(FLAGS_colour_as_luminance);
  o.jpeg_quality = absl::GetFlag(FLAGS_jpeg_quality);
  o.max_frames = absl::GetFlag(FLAGS_max_frames);
  o.max_clips = absl::GetFlag(FLAGS_max_clips);
  o.device = absl::GetFlag(FLAGS_device);
  // Read the expected report before the (long) evaluation so a bad path fails fast.
  nlohmann::json expected;
  const std::string expect_path = absl::GetFlag(FLAGS_expect);
  if (!expect_path.empty()) {
    std::ifstream in(expect_path);
    expected = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (!in || expected.is_discarded() || !expected.is_object()) {
      std::fprintf(stderr, "--expect: cannot read a JSON report from '%s'\n", expect_path.c_str());
      return 2;
    }
  }
  o.threads = absl::GetFlag(FLAGS_threads);
  o.batch_size = absl::GetFlag(FLAGS_batch_size);
  o.out_dir = absl::GetFlag(FLAGS_out_dir);
  if (absl::GetFlag(FLAGS_update_card) && o.out_dir.empty()) {
    std::fprintf(stderr, "--update_card needs --out_dir (the card records the report's path)\n");
    return 2;
  }
  o.example_plots = absl::GetFlag(FLAGS_example_plots);
  auto pairing = botm::train::ParseEvalPairing(absl::GetFlag(FLAGS_pairing));
  if (!pairing.ok()) {
    std::fprintf(stderr, "--%s\n", std::string(pairing.status().message()).c_str());
    return 2;
  }
  o.pairing = *pairing;
  o.partner_offset = absl::GetFlag(FLAGS_partner_offset);
  o.partner_interval_ms = absl::GetFlag(FLAGS_partner_interval_ms);
  o.progress = absl::GetFlag(FLAGS_progress);
  auto report = botm::train::Evaluate(o);
  if (!report.ok()) {
    spdlog::error("{}", report.status().ToString());
    return 1;
  }
  std::printf("%s", botm::train::MarkdownReport(*report).c_str());
  if (absl::GetFlag(FLAGS_update_card)) {
    const absl::Status s = UpdateCard(o, *report);
    if (!s.ok()) {
      spdlog::error("--update_card: {}", s.ToString());
      return 1;
    }
  }
  if (!expect_path.empty()) {
    const absl::Status same =
        botm::train::CompareReports(expected, *report, absl::GetFlag(FLAGS_tolerance));
    if (!same.ok()) {
      spdlog::error("does not reproduce {}: {}", expect_path, same.ToString());
      return 3;
    }
    spdlog::info("reproduces {} (tolerance {})", expect_path, absl::GetFlag(FLAGS_tolerance));
  }
  return 0;
}
