// botm-model-bench: CPU/GPU timings of the BOTM network at the tensor level.
//
// For each (variant, input size), with freshly initialised weights, and for the checkpoint of
// --model: ms/frame in stream mode (one encoder pass per frame + decode against the cached
// partner features), pair mode (both frames encoded per frame) and the single-frame ablation,
// with the encoder, Sinkhorn (cost + iterations) and the whole cross-frame block (Sinkhorn +
// BCTA) timed separately; GFLOPs per frame counted from the operators the network runs
// (core/model/internal/flop_counter.h) and the achieved GFLOP/s as a share of the fp32
// matrix-multiply peak measured in the same run with the same threads; a training-throughput
// probe; for the checkpoint, Sinkhorn iteration counts vs plan and mask accuracy; and the
// input policy's cost per frame (finding the sector among burned-in marks, then crop, resize
// and rank normalisation) at scanner-export sizes, clean and annotated.
// Example: botm-model-bench --configs=tiny:128,tiny:256,b2:256 --iters=20 --threads=2 --json F
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <torch/torch.h>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "core/common/flags.h"
#include "core/common/progress_bar.h"
#include "core/model/internal/botm_model.h"
#include "core/model/internal/checkpoint.h"
#include "core/model/internal/model_bench.h"
#include "core/model/internal/preprocess.h"
#include "core/model/internal/sinkhorn.h"
#include "core/model/internal/sinkhorn_sweep.h"
#include "core/model/segmenter.h"
#include "core/synth/echo_generator.h"

ABSL_FLAG(std::string, configs, "tiny:128,tiny:192,tiny:256",
          "comma list of variant:input_size[:s2] (s2 = decoder_stride 2), fresh weights");
ABSL_FLAG(std::string, model, "",
          "checkpoint timed as one more row and used by the Sinkhorn sweep (empty = the shipped "
          "default model; none = skip both)");
ABSL_FLAG(int, iters, 20, "timed iterations per measurement (after 3 warm-up passes)");
ABSL_FLAG(int, threads, 0, "intra-op threads (0 = hardware threads)");
ABSL_FLAG(int, peak_n, 2048, "side of the square fp32 matrices of the mm peak (0 = skip)");
ABSL_FLAG(int, peak_reps, 5, "timed products of the mm peak (the fastest counts)");
ABSL_FLAG(std::string, sinkhorn_sweep, "5,10,20",
          "Sinkhorn iteration counts to compare with the checkpoint's own (empty = skip)");
ABSL_FLAG(int, sweep_clips, 2, "held-out synthetic clips of the Sinkhorn sweep");
ABSL_FLAG(int, sweep_frames, 24, "frames per clip of the Sinkhorn sweep");
ABSL_FLAG(int, sweep_frame_size, 256, "side of the Sinkhorn sweep's synthetic frames, pixels");
ABSL_FLAG(int, train_batch, 8, "pairs per training step in the training probe (0 = skip)");
ABSL_FLAG(int, train_steps, 5, "timed training steps");
ABSL_FLAG(std::string, preprocess_sizes, "384,512,800",
          "frame sides at which the input policy (sector region, crop, resize to 192, rank "
          "normalisation) is timed on a padded-sector frame, clean and annotated (empty = skip)");
ABSL_FLAG(botm::Device, device, botm::Device::kAuto, "auto | cpu | cuda");
ABSL_FLAG(std::string, json, "", "also write everything printed as JSON to this file");

namespace botm {
namespace {

using internal::MatmulPeak;

internal::NetworkRun MeasureNetwork(const std::string& name, BotmModel model,
                                    torch::Device device) {
  const int iters = absl::GetFlag(FLAGS_iters);
  ProgressBar bar(name, 7 * iters);
  int64_t done = 0;
  internal::NetworkRun run =
      internal::MeasureNetwork(model, device, iters, [&] { bar.Update(++done); });
  bar.Finish();
  run.name = name;
  return run;
}

// Prints the run's three lines; returns them as JSON.
nlohmann::json ReportNetwork(const internal::NetworkRun& r, const MatmulPeak& peak) {
  const char* label = r.name.c_str();
  const internal::PathTimes& ms = r.ms;
  const internal::PathFlops& flops = r.flops;
  std::printf("%-12s | stage-4 plan %ldx%ld, relative marginal error after %d iterations: %.2e\n",
              label, r.plan_rows, r.plan_cols, r.config.sinkhorn_iterations, r.marginal_error);
  std::printf(
      "%-12s | params %.2fM | stream %.2f ms/frame | pair %.2f | single-frame %.2f | "
      "encoder %.2f | sinkhorn %.2f | sinkhorn+BCTA %.2f (%.0f%% of stream) | decoder %.2f\n",
      label, r.params / 1e6, ms.stream, ms.pair, ms.single, ms.encoder, ms.sinkhorn, ms.cross_frame,
      100.0 * ms.cross_frame / ms.stream, ms.decoder);
  // GFLOP/s = FLOPs / (ms * 1e6).
  const auto rate = [](int64_t f, double t) { return t > 0 ? f / (t * 1e6) : 0.0; };
  const double stream_rate = rate(flops.stream(), ms.stream);
  const double share = peak.best_gflops > 0 ? 100.0 * stream_rate / peak.best_gflops : 0;
  std::printf(
      "%-12s | GFLOPs/frame stream %.3f (encoder %.3f, cross-frame %.3f, decoder %.3f) | pair "
      "%.3f | single-frame %.3f | achieved stream %.1f GFLOP/s = %.1f%% of the mm peak\n",
      label, flops.stream() / 1e9, flops.encoder / 1e9, flops.cross_frame / 1e9,
      flops.decoder / 1e9, flops.pair() / 1e9, flops.single() / 1e9, stream_rate, share);
  return {{"name", r.name},
          {"config", ToJson(r.config)},
          {"params", r.params},
          {"plan",
           {{"rows", r.plan_rows}, {"cols", r.plan_cols}, {"marginal_error", r.marginal_error}}},
          {"ms", ToJson(ms)},
          {"ot_share_pct", 100.0 * ms.cross_frame / ms.stream},
          {"flops", ToJson(flops)},
          {"achieved_gflops_per_s",
           {{"stream", stream_rate},
            {"pair", rate(flops.pair(), ms.pair)},
            {"single_frame", rate(flops.single(), ms.single)}}},
          {"stream_share_of_mm_peak_pct", share}};
}

nlohmann::json BenchTraining(int batch, int steps, torch::Device device) {
  ProgressBar bar("train tiny:128", steps);
  int64_t done = 0;
  const double ms = internal::TrainingStepMs(batch, steps, device, [&] { bar.Update(++done); });
  bar.Finish();
  const double images_per_s = 2.0 * batch * 1000.0 / ms;
  std::printf("train tiny 128, %d pairs/step: %.1f ms/step, %.1f images/s\n", batch, ms,
              images_per_s);
  return {{"pairs_per_step", batch}, {"ms_per_step", ms}, {"images_per_s", images_per_s}};
}

// Parses "variant:size[:s2]" into a config; false on a malformed item.
bool ParseConfig(absl::string_view item, ModelConfig* cfg) {
  std::vector<std::string> parts = absl::StrSplit(item, ':');
  const bool s2 = parts.size() == 3 && parts[2] == "s2";
  if ((parts.size() != 2 && !s2) || !absl::SimpleAtoi(parts[1], &cfg->input_size)) return false;
  cfg->variant = parts[0];
  cfg->decoder_stride = s2 ? 2 : 4;
  return ValidateModelConfig(*cfg).ok();
}

}  // namespace
}  // namespace botm

namespace botm {
namespace {

absl::StatusOr<nlohmann::json> SinkhornSweep(const std::string& model_path, Device device) {
  internal::SweepOptions o;
  o.model_path = model_path;
  o.device = device;
  for (absl::string_view k :
       absl::StrSplit(absl::GetFlag(FLAGS_sinkhorn_sweep), ',', absl::SkipEmpty())) {
    int n = 0;
    if (!absl::SimpleAtoi(k, &n)) {
      return absl::InvalidArgumentError("--sinkhorn_sweep: not a count: " + std::string(k));
    }
    o.iterations.push_back(n);
  }
  o.clips = absl::GetFlag(FLAGS_sweep_clips);
  o.frames = absl::GetFlag(FLAGS_sweep_frames);
  o.frame_size_px = absl::GetFlag(FLAGS_sweep_frame_size);
  o.timing_iters = absl::GetFlag(FLAGS_iters);
  absl::StatusOr<internal::SweepResult> r = internal::RunSinkhornSweep(o);
  if (!r.ok()) return r.status();
  std::printf(
      "sinkhorn sweep: %s (trained with %d iterations), %d frame pairs per matched stage, %d "
      "frames segmented per count (held-out synthetic clips, %dx%d)\n",
      model_path.c_str(), r->reference_iterations, r->pairs, r->frames, o.frame_size_px,
      o.frame_size_px);
  std::printf("  %10s | %-21s | %-21s | %-10s | %-9s | %s\n", "iterations", "marginal err max/mean",
              "plan L1 vs ref max/mean", "ms/pair", "labels %", "Dice vs truth LV/myo/LA");
  for (const internal::SweepRow& row : r->rows) {
    std::printf("  %7d%3s | %9.2e / %9.2e | %9.2e / %9.2e | %10.3f | %9.3f | %.4f / %.4f / %.4f\n",
                row.iterations, row.reference ? "ref" : "", row.marginal_error_max,
                row.marginal_error_mean, row.plan_l1_max, row.plan_l1_mean, row.sinkhorn_ms,
                row.label_changed_pct, row.dice_vs_truth[0], row.dice_vs_truth[1],
                row.dice_vs_truth[2]);
  }
  return internal::ToJson(*r);
}

// Loads --model (empty = the shipped default); nullopt path when --model=none.
absl::StatusOr<std::pair<std::string, BotmModel>> LoadModelFlag() {
  std::string path = absl::GetFlag(FLAGS_model);
  if (path == "none") return std::make_pair(std::string(), BotmModel(nullptr));
  if (path.empty()) path = DefaultModelPath();
  absl::StatusOr<BotmModel> model = LoadCheckpoint(path, nullptr);
  if (!model.ok()) return model.status();
  return std::make_pair(path, *model);
}

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "botm-model-bench: %s\n", status.ToString().c_str());
  return 1;
}

// Times ToGray01, FindSectorRegion and the whole PrepareGray01 (crop + rank at 192 px, the
// shipped model's policy) on the first frame of a held-out padded-sector clip: clean, with
// burned-in annotations, and as a colour export with them (BGR, overlays left out by ToGray01);
// iters x 20 calls each, mean ms per call.
absl::StatusOr<nlohmann::json> BenchPreprocess() {
  nlohmann::json rows = nlohmann::json::array();
  const int calls = 20 * std::max(1, absl::GetFlag(FLAGS_iters));
  for (absl::string_view item :
       absl::StrSplit(absl::GetFlag(FLAGS_preprocess_sizes), ',', absl::SkipEmpty())) {
    int side = 0;
    if (!absl::SimpleAtoi(item, &side) || side < 32 || side > 2048) {
      return absl::InvalidArgumentError("--preprocess_sizes: not a side in 32..2048: " +
                                        std::string(item));
    }
    nlohmann::json row = {{"side", side}};
    for (const char* key : {"clean", "annotated", "colour"}) {
      synth::ClipOptions o;
      o.seed = synth::HeldOutSeed(synth::Difficulty::kPaddedSector, 0);
      o.difficulty = synth::Difficulty::kPaddedSector;
      o.width = o.height = side;
      o.annotations = key != std::string("clean");
      o.colour = key == std::string("colour");
      absl::StatusOr<std::unique_ptr<synth::EchoGenerator>> gen = synth::EchoGenerator::Create(o);
      if (!gen.ok()) return gen.status();
      const cv::Mat image = (*gen)->Render(0).image;
      absl::StatusOr<cv::Mat> gray01 = internal::ToGray01(image);
      if (!gray01.ok()) return gray01.status();
      internal::InputPolicy policy;
      policy.size = 192;
      policy.crop_sector = policy.rank_norm = true;
      int64_t sink = 0;  // keeps the calls from being optimised away
      const auto t0 = std::chrono::steady_clock::now();
      for (int i = 0; i < calls; ++i) sink += internal::ToGray01(image)->rows;
      const auto t1 = std::chrono::steady_clock::now();
      for (int i = 0; i < calls; ++i) sink += internal::FindSectorRegion(*gray01).box.area();
      const auto t2 = std::chrono::steady_clock::now();
      for (int i = 0; i < calls; ++i) sink += internal::PrepareGray01(*gray01, policy).crop.area();
      const auto t3 = std::chrono::steady_clock::now();
      const auto ms = [calls](auto a, auto b) {
        return std::chrono::duration<double, std::milli>(b - a).count() / calls;
      };
      row[key] = {
          {"to_gray_ms", ms(t0, t1)}, {"sector_region_ms", ms(t1, t2)}, {"prepare_ms", ms(t2, t3)}};
      std::printf(
          "input policy %4dx%-4d %-9s | to grey %.3f ms | sector region %.3f ms | whole policy "
          "%.3f ms per frame (%d calls, checksum %lld)\n",
          side, side, key, ms(t0, t1), ms(t1, t2), ms(t2, t3), calls, static_cast<long long>(sink));
    }
    rows.push_back(row);
  }
  return rows;
}

int Main() {
  const int threads = absl::GetFlag(FLAGS_threads);
  at::set_num_threads(threads > 0 ? threads
                                  : static_cast<int>(std::thread::hardware_concurrency()));
  const Device dev = absl::GetFlag(FLAGS_device);
  const bool cuda = dev == Device::kCuda || (dev == Device::kAuto && torch::cuda::is_available());
  const torch::Device device = cuda ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
  const char* wait_policy = std::getenv("OMP_WAIT_POLICY");
  std::printf("device %s, intra-op threads %d, BLAS %s, OMP_WAIT_POLICY %s\n", device.str().c_str(),
              at::get_num_threads(), LoadedBlasName().c_str(),
              wait_policy != nullptr ? wait_policy : "(unset)");
  nlohmann::json out = {{"device", device.str()},
                        {"intra_op_threads", at::get_num_threads()},
                        {"blas", LoadedBlasName()},
                        {"omp_wait_policy", wait_policy != nullptr ? wait_policy : ""}};
  MatmulPeak peak;
  if (absl::GetFlag(FLAGS_peak_n) > 0) {
    peak = internal::MeasureMatmulPeak(absl::GetFlag(FLAGS_peak_n),
                                       std::max(1, absl::GetFlag(FLAGS_peak_reps)), device);
    std::printf("fp32 mm peak (%dx%d, best of %d): %.1f GFLOP/s (median %.1f)\n", peak.n, peak.n,
                peak.reps, peak.best_gflops, peak.median_gflops);
    out["mm_peak"] = {{"n", peak.n},
                      {"reps", peak.reps},
                      {"best_gflops_per_s", peak.best_gflops},
                      {"median_gflops_per_s", peak.median_gflops}};
  }
  out["configs"] = nlohmann::json::array();
  for (absl::string_view item :
       absl::StrSplit(absl::GetFlag(FLAGS_configs), ',', absl::SkipEmpty())) {
    ModelConfig cfg;
    if (!ParseConfig(item, &cfg)) {
      std::fprintf(stderr, "bad config '%s' (want variant:size[:s2])\n", std::string(item).c_str());
      return 2;
    }
    torch::manual_seed(0);
    out["configs"].push_back(
        ReportNetwork(MeasureNetwork(std::string(item), BotmModel(cfg), device), peak));
  }
  auto model = LoadModelFlag();
  if (!model.ok()) return Fail(model.status());
  if (!model->first.empty()) {
    const std::string name = std::filesystem::path(model->first).stem().string();
    out["checkpoint"] = ReportNetwork(MeasureNetwork(name, model->second, device), peak);
    out["checkpoint"]["path"] = model->first;
    if (!absl::GetFlag(FLAGS_sinkhorn_sweep).empty()) {
      auto sweep = SinkhornSweep(model->first, cuda ? Device::kCuda : Device::kCpu);
      if (!sweep.ok()) return Fail(sweep.status());
      out["sinkhorn_sweep"] = *sweep;
    }
  }
  if (absl::GetFlag(FLAGS_train_batch) > 0) {
    out["training"] =
        BenchTraining(absl::GetFlag(FLAGS_train_batch), absl::GetFlag(FLAGS_train_steps), device);
  }
  if (!absl::GetFlag(FLAGS_preprocess_sizes).empty()) {
    absl::StatusOr<nlohmann::json> pre = BenchPreprocess();
    if (!pre.ok()) return Fail(pre.status());
    out["input_policy"] = *pre;
  }
  const std::string json_path = absl::GetFlag(FLAGS_json);
  if (!json_path.empty()) {
    std::ofstream file(json_path, std::ios::trunc);
    file << out.dump(2) << "\n";
    if (!file) return Fail(absl::InternalError("cannot write " + json_path));
  }
  return 0;
}

}  // namespace
}  // namespace botm

int main(int argc, char** argv) {
  botm::ParseFlags(argc, argv, __FILE__,
                   "botm-model-bench: ms/frame, GFLOPs and OT share of the model in-process");
  return botm::Main();
}
