#include "core/model/internal/sinkhorn_sweep.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <system_error>

#include <unistd.h>

#include <torch/torch.h>
#include <opencv2/core.hpp>

#include "absl/strings/str_cat.h"
#include "core/metrics/metrics.h"
#include "core/model/internal/checkpoint.h"
#include "core/model/internal/model_bench.h"
#include "core/model/internal/preprocess.h"
#include "core/model/internal/sinkhorn.h"
#include "core/synth/echo_generator.h"

namespace botm {
namespace internal {
namespace {

namespace fs = std::filesystem;

using Clip = std::vector<synth::Frame>;
using Maps = std::vector<torch::Tensor>;

absl::StatusOr<std::vector<Clip>> RenderClips(const SweepOptions& o) {
  std::vector<Clip> clips;
  for (int c = 0; c < o.clips; ++c) {
    synth::ClipOptions clip;
    clip.seed = synth::HeldOutSeed(synth::Difficulty::kNormal, c);
    clip.width = clip.height = o.frame_size_px;
    clip.num_frames = o.frames;
    auto generator = synth::EchoGenerator::Create(clip);
    if (!generator.ok()) return generator.status();
    clips.push_back((*generator)->RenderAll());
  }
  return clips;
}

// Encoder maps of every frame of every clip, with the checkpoint's input policy.
absl::StatusOr<std::vector<std::vector<Maps>>> EncodeClips(BotmModel& model,
                                                           const std::vector<Clip>& clips,
                                                           torch::Device device) {
  const ModelConfig& cfg = model->config();
  const InputPolicy policy{cfg.input_size, cfg.crop_sector, cfg.input_norm == "rank"};
  torch::InferenceMode guard;
  std::vector<std::vector<Maps>> out;
  for (const Clip& clip : clips) {
    std::vector<Maps>& maps = out.emplace_back();
    for (const synth::Frame& frame : clip) {
      absl::StatusOr<PreparedInput> in = PrepareFrame(frame.image, policy);
      if (!in.ok()) return in.status();
      const torch::Tensor x =
          torch::from_blob(in->input.data, {1, 1, policy.size, policy.size}, torch::kFloat32);
      maps.push_back(model->Encode(BotmModelImpl::Normalize(x.to(device))));
    }
  }
  return out;
}

// Marginal errors, plan distances to `reference` (one log-plan per pair and stage, in order)
// and the Sinkhorn time at `iterations`; returns the log-plans.
std::vector<torch::Tensor> PlanMetrics(const std::vector<std::vector<Maps>>& clips,
                                       const ModelConfig& cfg, int iterations, int timing_iters,
                                       const std::vector<torch::Tensor>* reference, SweepRow* row) {
  torch::InferenceMode guard;
  std::vector<torch::Tensor> plans;
  for (const std::vector<Maps>& maps : clips) {
    for (size_t t = 1; t < maps.size(); ++t) {
      for (torch::Tensor& p : SinkhornOnly(maps[t], maps[t - 1], cfg, iterations)) {
        plans.push_back(std::move(p));
      }
    }
  }
  double err_sum = 0, l1_sum = 0;
  for (size_t i = 0; i < plans.size(); ++i) {
    const double err = MarginalError(plans[i].exp());
    row->marginal_error_max = std::max(row->marginal_error_max, err);
    err_sum += err;
    if (reference == nullptr) continue;
    const double l1 = (plans[i].exp() - (*reference)[i].exp()).abs().sum().item<double>();
    row->plan_l1_max = std::max(row->plan_l1_max, l1);
    l1_sum += l1;
  }
  row->marginal_error_mean = err_sum / std::max<size_t>(1, plans.size());
  row->plan_l1_mean = l1_sum / std::max<size_t>(1, plans.size());
  const Maps& a = clips[0][1];
  const Maps& b = clips[0][0];
  row->sinkhorn_ms =
      MeanMs([&] { SinkhornOnly(a, b, cfg, iterations); }, timing_iters, a[0].device());
  return plans;
}

// Writes dir/NAME.json (the card with sinkhorn_iterations = k) beside a link dir/NAME.pt to the
// weights; returns the link's path.
absl::StatusOr<std::string> CardCopy(const std::string& pt_path, ModelCard card, int k,
                                     const fs::path& dir) {
  card.config.sinkhorn_iterations = k;
  const fs::path link = dir / absl::StrCat("k", k, "-", fs::path(pt_path).filename().string());
  std::error_code ec;
  fs::create_symlink(fs::absolute(pt_path), link, ec);
  if (ec) return absl::InternalError(absl::StrCat("symlink ", link.string(), ": ", ec.message()));
  if (absl::Status s = WriteModelCard(card, ModelCardPathFor(link.string())); !s.ok()) return s;
  return link.string();
}

// Segments every clip in stream mode with the model at `path`; the masks of all frames in order.
absl::StatusOr<std::vector<cv::Mat>> SegmentClips(const std::string& path, Device device,
                                                  const std::vector<Clip>& clips) {
  SegmenterOptions options;
  options.model_path = path;
  options.device = device;
  options.intra_op_threads = at::get_num_threads();
  auto segmenter = Segmenter::Create(options);
  if (!segmenter.ok()) return segmenter.status();
  std::vector<cv::Mat> labels;
  for (const Clip& clip : clips) {
    std::vector<cv::Mat> images;
    for (const synth::Frame& f : clip) images.push_back(f.image);
    auto out = (*segmenter)->SegmentClip(images, Segmenter::Pairing::kPrevious);
    if (!out.ok()) return out.status();
    for (FrameOutput& o : *out) labels.push_back(std::move(o.labels));
  }
  return labels;
}

void CompareMasks(const std::vector<cv::Mat>& masks, const std::vector<cv::Mat>& reference,
                  const std::vector<Clip>& clips, SweepRow* row) {
  double changed = 0, pixels = 0;
  size_t i = 0;
  for (const Clip& clip : clips) {
    for (const synth::Frame& frame : clip) {
      changed += cv::countNonZero(masks[i] != reference[i]);
      pixels += static_cast<double>(masks[i].total());
      for (int c = 0; c < 3; ++c) {
        row->dice_vs_truth[c] += metrics::Dice(masks[i], frame.labels, static_cast<uint8_t>(c + 1));
      }
      ++i;
    }
  }
  row->label_changed_pct = 100.0 * changed / std::max(1.0, pixels);
  for (double& d : row->dice_vs_truth) d /= static_cast<double>(std::max<size_t>(1, i));
}

absl::Status CheckOptions(const SweepOptions& o) {
  if (o.clips < 1 || o.frames < 2 || o.frame_size_px < 32 || o.timing_iters < 1) {
    return absl::InvalidArgumentError(
        "sinkhorn sweep needs clips >= 1, frames >= 2, frame size >= 32, timing iterations >= 1");
  }
  for (int k : o.iterations) {
    if (k < 1) return absl::InvalidArgumentError(absl::StrCat("sinkhorn iterations ", k, " < 1"));
  }
  return absl::OkStatus();
}

// What every iteration count is compared on: the frames, their encoder maps, and the plans and
// masks of the checkpoint's own count.
struct SweepInputs {
  std::vector<Clip> clips;
  std::vector<std::vector<Maps>> maps;
  std::vector<torch::Tensor> ref_plans;
  std::vector<cv::Mat> ref_masks;
};

absl::StatusOr<SweepInputs> PrepareInputs(const SweepOptions& o, BotmModel& model) {
  const torch::Device device =
      o.device == Device::kCuda ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
  model->to(device);
  SweepInputs in;
  absl::StatusOr<std::vector<Clip>> clips = RenderClips(o);
  if (!clips.ok()) return clips.status();
  in.clips = *std::move(clips);
  auto maps = EncodeClips(model, in.clips, device);
  if (!maps.ok()) return maps.status();
  in.maps = *std::move(maps);
  SweepRow unused;
  in.ref_plans = PlanMetrics(in.maps, model->config(), model->config().sinkhorn_iterations,
                             /*timing_iters=*/1, nullptr, &unused);
  auto masks = SegmentClips(o.model_path, o.device, in.clips);
  if (!masks.ok()) return masks.status();
  in.ref_masks = *std::move(masks);
  return in;
}

// One row per count (ascending), the card copies in `dir`.
absl::Status SweepCounts(const SweepOptions& o, const ModelCard& card, const SweepInputs& in,
                         const fs::path& dir, SweepResult* result) {
  std::set<int> counts(o.iterations.begin(), o.iterations.end());
  counts.insert(card.config.sinkhorn_iterations);
  for (int k : counts) {
    SweepRow row;
    row.iterations = k;
    row.reference = k == card.config.sinkhorn_iterations;
    PlanMetrics(in.maps, card.config, k, o.timing_iters, &in.ref_plans, &row);
    absl::StatusOr<std::vector<cv::Mat>> masks = in.ref_masks;
    if (!row.reference) {
      absl::StatusOr<std::string> path = CardCopy(o.model_path, card, k, dir);
      masks = path.ok() ? SegmentClips(*path, o.device, in.clips) : path.status();
    }
    if (!masks.ok()) return masks.status();
    CompareMasks(*masks, in.ref_masks, in.clips, &row);
    result->rows.push_back(row);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SweepResult> RunSinkhornSweep(const SweepOptions& o) {
  if (absl::Status s = CheckOptions(o); !s.ok()) return s;
  ModelCard card;
  absl::StatusOr<BotmModel> model = LoadCheckpoint(o.model_path, &card);
  if (!model.ok()) return model.status();
  if (!card.config.cross_frame) {
    return absl::InvalidArgumentError(o.model_path + " has no cross-frame block (no Sinkhorn)");
  }
  absl::StatusOr<SweepInputs> inputs = PrepareInputs(o, *model);
  if (!inputs.ok()) return inputs.status();
  SweepResult result;
  result.model_path = o.model_path;
  result.reference_iterations = card.config.sinkhorn_iterations;
  result.pairs = o.clips * (o.frames - 1);
  result.frames = o.clips * o.frames;
  std::error_code ec;
  std::string dir = (fs::temp_directory_path(ec) / "botm-sweep-XXXXXX").string();
  if (ec || mkdtemp(dir.data()) == nullptr) {
    return absl::InternalError("cannot create a temporary directory for the card copies");
  }
  const absl::Status status = SweepCounts(o, card, *inputs, dir, &result);
  fs::remove_all(dir, ec);
  if (!status.ok()) return status;
  return result;
}

nlohmann::json ToJson(const SweepResult& r) {
  nlohmann::json rows = nlohmann::json::array();
  for (const SweepRow& row : r.rows) {
    rows.push_back({{"iterations", row.iterations},
                    {"reference", row.reference},
                    {"marginal_error_max", row.marginal_error_max},
                    {"marginal_error_mean", row.marginal_error_mean},
                    {"plan_l1_vs_reference_max", row.plan_l1_max},
                    {"plan_l1_vs_reference_mean", row.plan_l1_mean},
                    {"sinkhorn_ms_per_pair", row.sinkhorn_ms},
                    {"labels_changed_pct", row.label_changed_pct},
                    {"dice_vs_truth",
                     {{"lv_cavity", row.dice_vs_truth[0]},
                      {"lv_myocardium", row.dice_vs_truth[1]},
                      {"left_atrium", row.dice_vs_truth[2]}}}});
  }
  return {{"model", r.model_path},
          {"reference_iterations", r.reference_iterations},
          {"frame_pairs", r.pairs},
          {"frames_segmented", r.frames},
          {"rows", rows}};
}

}  // namespace internal
}  // namespace botm
