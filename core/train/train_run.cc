#include "core/train/train_run.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "core/model/internal/checkpoint.h"
#include "core/model/model_card.h"
#include "core/train/loss.h"

namespace botm::train {
namespace {

torch::Tensor Images(const std::vector<float>& v, int n, int s, torch::Device d) {
  auto t = torch::from_blob(const_cast<float*>(v.data()), {n, 1, s, s}, torch::kFloat32).clone();
  return BotmModelImpl::Normalize(t).to(d);
}

torch::Tensor Labels(const std::vector<uint8_t>& v, int n, int s, torch::Device d) {
  auto t = torch::from_blob(const_cast<uint8_t*>(v.data()), {n, s, s}, torch::kUInt8);
  return t.to(torch::kInt64).to(d);
}

absl::Status WriteText(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) return absl::InternalError(absl::StrCat("cannot write ", tmp));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot rename to ", path, ": ", ec.message()));
  return absl::OkStatus();
}

ModelCard MakeCard(const TrainRun& run, const TrainSummary& summary) {
  ModelCard card;
  const TrainOptions& o = run.options;
  card.name = o.model.cross_frame ? "botm" : "botm-single-frame";
  card.version = o.version;
  card.config = o.model;
  card.training_data = run.training_data;
  card.notes = o.data == "synthetic"
                   ? "Research use only; not for clinical decisions. Trained on synthetic "
                     "echocardiography only (no patient data); accuracy on real echo is not "
                     "established by this card."
                   : absl::StrCat(
                         "Research use only; not for clinical decisions. Trained on the "
                         "echo folder ",
                         o.data, ".");
  card.seed = o.seed;
  card.training = {{"options", ToJson(o)},
                   {"steps_done", run.step},
                   {"total_steps", run.total_steps},
                   {"wall_s", summary.wall_s},
                   {"images_per_s", summary.images_per_s},
                   {"last_loss", summary.last_loss},
                   {"history", run.history}};
  if (!run.init.is_null()) card.training["init_from"] = run.init;
  if (!summary.validation_dice.empty()) {
    card.metrics = {{"validation_dice_per_class", summary.validation_dice},
                    {"validation_set", "held-out pairs (see training.options.validation_pairs)"}};
  }
  return card;
}

}  // namespace

PairTensors ToTensors(const Batch& b, torch::Device d) {
  return {Images(b.images_a, b.batch_size, b.size_px, d),
          Images(b.images_b, b.batch_size, b.size_px, d),
          Labels(b.labels_a, b.batch_size, b.size_px, d),
          Labels(b.labels_b, b.batch_size, b.size_px, d)};
}

PairTensors ToTensors(const std::vector<FramePair>& pairs, torch::Device d) {
  Batch b;
  b.batch_size = static_cast<int>(pairs.size());
  b.size_px = pairs.empty() ? 0 : pairs[0].image_a.cols;
  const size_t plane = static_cast<size_t>(b.size_px) * b.size_px;
  for (const FramePair& p : pairs) {
    b.images_a.insert(b.images_a.end(), p.image_a.ptr<float>(), p.image_a.ptr<float>() + plane);
    b.images_b.insert(b.images_b.end(), p.image_b.ptr<float>(), p.image_b.ptr<float>() + plane);
    b.labels_a.insert(b.labels_a.end(), p.labels_a.data, p.labels_a.data + plane);
    b.labels_b.insert(b.labels_b.end(), p.labels_b.data, p.labels_b.data + plane);
  }
  return ToTensors(b, d);
}

std::vector<double> Validate(TrainRun& run, const PairTensors& val, int batch_size) {
  torch::NoGradGuard no_grad;
  run.model->eval();
  DiceCounts counts;
  const int64_t n = val.a.size(0);
  for (int64_t i = 0; i < n; i += batch_size) {
    const int64_t j = std::min<int64_t>(n, i + batch_size);
    BotmOutput out = run.model->forward(val.a.slice(0, i, j), val.b.slice(0, i, j));
    AccumulateDiceCounts(out.logits_a, val.labels_a.slice(0, i, j), &counts);
    AccumulateDiceCounts(out.logits_b, val.labels_b.slice(0, i, j), &counts);
  }
  run.model->train();
  std::vector<double> dice;
  for (size_t c = 0; c < counts.truth.size(); ++c) {
    const double denom = counts.predicted[c] + counts.truth[c];
    dice.push_back(denom > 0 ? 2.0 * counts.intersection[c] / denom : 1.0);
  }
  return dice;
}

std::string StatePath(const std::string& out_path) { return out_path + ".state"; }
std::string StateMetaPath(const std::string& out_path) { return out_path + ".state.json"; }

absl::Status SaveRun(TrainRun& run, const TrainSummary& summary) {
  const std::string& out = run.options.out_path;
  std::error_code ec;
  const auto parent = std::filesystem::path(out).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  try {
    torch::serialize::OutputArchive archive, model_archive, optim_archive;
    run.model->save(model_archive);
    run.optimizer->save(optim_archive);
    archive.write("model", model_archive);
    archive.write("optimizer", optim_archive);
    archive.save_to(StatePath(out) + ".tmp");
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("saving training state: ", e.what()));
  }
  std::filesystem::rename(StatePath(out) + ".tmp", StatePath(out), ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot write ", StatePath(out)));
  const nlohmann::json meta = {{"step", run.step},
                               {"total_steps", run.total_steps},
                               {"total_planned", run.total_planned},
                               {"warmup_end_wall_s", run.warmup_end_wall_s},
                               {"wall_s", summary.wall_s},
                               {"seed", run.options.seed},
                               {"options", ToJson(run.options)},
                               {"history", run.history},
                               {"init_from", run.init}};
  if (absl::Status s = WriteText(StateMetaPath(out), meta.dump(2)); !s.ok()) return s;
  return SaveCheckpoint(run.model, MakeCard(run, summary), out, run.options.fp16_checkpoint);
}

namespace {

// InvalidArgument naming both configs unless `theirs` (a model config as JSON, read from
// `where`) is this run's.
absl::Status CheckSameModelConfig(const std::string& where, const nlohmann::json& theirs,
                                  const TrainRun& run) {
  const nlohmann::json ours = ToJson(run.options.model);
  if (theirs == ours) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(where, ": written with a different model config (",
                                                 theirs.dump(), "; this run ", ours.dump(), ")"));
}

// The lineage of a fine-tune from `source`: its path, steps, options and history, and the
// source's own init_from when it was itself a fine-tune.
nlohmann::json Lineage(const std::string& source, const nlohmann::json& record,
                       const char* steps_key) {
  nlohmann::json init = {{"path", source},
                         {"steps_done", record.value(steps_key, int64_t{0})},
                         {"options", record.value("options", nlohmann::json())},
                         {"history", record.value("history", nlohmann::json::array())}};
  if (record.contains("init_from") && !record["init_from"].is_null()) {
    init["init_from"] = record["init_from"];
  }
  return init;
}

// Reads the training state beside checkpoint `ckpt` (ckpt.state, ckpt.state.json) into
// run.model, and into run.optimizer when `with_optimizer`; returns the state's metadata.
// NotFound when the state is missing; InvalidArgument when it is corrupt or was written with a
// different model config (both configs named).
absl::StatusOr<nlohmann::json> LoadState(TrainRun& run, const std::string& ckpt,
                                         bool with_optimizer) {
  std::ifstream in(StateMetaPath(ckpt));
  if (!in || !std::filesystem::exists(StatePath(ckpt))) {
    return absl::NotFoundError(absl::StrCat("no training state at ", StatePath(ckpt)));
  }
  nlohmann::json meta = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (meta.is_discarded() || !meta.contains("options")) {
    return absl::InvalidArgumentError("corrupt " + StateMetaPath(ckpt));
  }
  if (absl::Status s = CheckSameModelConfig(StateMetaPath(ckpt), meta["options"]["model"], run);
      !s.ok()) {
    return s;
  }
  try {
    torch::serialize::InputArchive archive, model_archive;
    archive.load_from(StatePath(ckpt), run.device);
    archive.read("model", model_archive);
    run.model->load(model_archive);
    if (with_optimizer) {
      torch::serialize::InputArchive optim_archive;
      archive.read("optimizer", optim_archive);
      run.optimizer->load(optim_archive);
    }
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("loading ", StatePath(ckpt), ": ", e.what()));
  }
  return meta;
}

}  // namespace

absl::Status RestoreRun(TrainRun& run) {
  absl::StatusOr<nlohmann::json> meta = LoadState(run, run.options.out_path, true);
  if (!meta.ok()) return meta.status();
  run.step = meta->value("step", int64_t{0});
  run.total_steps = meta->value("total_steps", run.options.steps);
  run.total_planned = meta->value("total_planned", false);
  run.wall_s_before = meta->value("wall_s", 0.0);
  run.warmup_end_wall_s = meta->value("warmup_end_wall_s", -1.0);
  run.history = meta->value("history", nlohmann::json::array());
  run.init = meta->value("init_from", nlohmann::json());
  return absl::OkStatus();
}

namespace {

// Fine-tuning from a checkpoint's stored weights (a released model, which has no training state
// beside it, or on request): they initialise run.model (fp16 storage widened to fp32) and the
// card's training record becomes the lineage.
absl::Status InitFromCheckpoint(TrainRun& run, const std::string& source) {
  ModelCard card;
  absl::StatusOr<BotmModel> loaded = LoadCheckpoint(source, &card);
  if (!loaded.ok()) {
    return absl::Status(loaded.status().code(),
                        absl::StrCat("init_from: cannot read the checkpoint ", source, ": ",
                                     loaded.status().message()));
  }
  if (absl::Status s =
          CheckSameModelConfig(absl::StrCat("init_from: ", source), ToJson(card.config), run);
      !s.ok()) {
    return s;
  }
  {
    torch::NoGradGuard no_grad;
    auto from = (*loaded)->named_parameters(), to = run.model->named_parameters();
    for (auto& p : to) p.value().copy_(from[p.key()]);
    auto from_b = (*loaded)->named_buffers(), to_b = run.model->named_buffers();
    for (auto& b : to_b) b.value().copy_(from_b[b.key()]);
  }
  run.init = Lineage(source, card.training, "steps_done");
  run.init["weights_sha256"] = card.weights_sha256;
  run.init["weights"] = card.fp16_weights ? "the checkpoint's stored fp16 weights"
                                          : "the checkpoint's stored fp32 weights";
  return absl::OkStatus();
}

}  // namespace

absl::Status InitFromRun(TrainRun& run, const std::string& source, bool checkpoint_weights) {
  if (checkpoint_weights ||
      (!std::filesystem::exists(StatePath(source)) && std::filesystem::exists(source) &&
       std::filesystem::exists(ModelCardPathFor(source)))) {
    return InitFromCheckpoint(run, source);
  }
  absl::StatusOr<nlohmann::json> meta = LoadState(run, source, false);
  if (!meta.ok()) {
    return absl::Status(meta.status().code(),
                        absl::StrCat("init_from: ", meta.status().message(),
                                     absl::IsNotFound(meta.status())
                                         ? " (fine-tuning needs the fp32 state beside the "
                                           "checkpoint, or a checkpoint with its card)"
                                         : ""));
  }
  run.init = Lineage(source, *meta, "step");
  return absl::OkStatus();
}

}  // namespace botm::train
