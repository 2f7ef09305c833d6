// Loading half of TorchSegmenter: device choice, checkpoint or TorchScript, model info, warm-up.
#include "core/model/internal/torch_segmenter.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/model/internal/checkpoint.h"
#include "core/model/sha256.h"

namespace botm {
namespace internal {
namespace {

absl::StatusOr<torch::Device> ChooseDevice(Device wanted) {
  const bool have_cuda = torch::cuda::is_available();
  if (wanted == Device::kCuda && !have_cuda) {
    return absl::UnavailableError("CUDA requested but LibTorch sees no GPU");
  }
  if (wanted == Device::kCpu || !have_cuda) return torch::Device(torch::kCPU);
  return torch::Device(torch::kCUDA, 0);
}

}  // namespace

absl::StatusOr<std::unique_ptr<Segmenter>> TorchSegmenter::Load(const SegmenterOptions& options) {
  absl::StatusOr<torch::Device> device = ChooseDevice(options.device);
  if (!device.ok()) return device.status();
  if (options.intra_op_threads > 0) at::set_num_threads(options.intra_op_threads);
  if (options.intra_op_threads == 0) {
    at::set_num_threads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  }
  const std::string path = options.model_path.empty() ? DefaultModelPath() : options.model_path;
  std::unique_ptr<TorchSegmenter> seg(new TorchSegmenter(options, *device));
  const bool script = absl::EndsWith(path, ".ts");
  absl::Status loaded = script ? seg->LoadTorchScript(path) : seg->LoadCheckpointModel(path);
  if (!loaded.ok()) return loaded;
  seg->info_.device = device->str();
  seg->info_.blas = LoadedBlasName();
  seg->info_.intra_op_threads = at::get_num_threads();
  // Warm-up pass (also the contract check of a TorchScript module).
  const cv::Mat blank(seg->info_.input_size, seg->info_.input_size, CV_8UC1, cv::Scalar(0));
  absl::StatusOr<std::vector<FrameOutput>> warm = seg->Segment(absl::MakeConstSpan(&blank, 1), {});
  if (!warm.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": warm-up failed: ", warm.status().message()));
  }
  return std::unique_ptr<Segmenter>(std::move(seg));
}

absl::Status TorchSegmenter::LoadCheckpointModel(const std::string& path) {
  ModelCard card;
  absl::StatusOr<BotmModel> model = LoadCheckpoint(path, &card);
  if (!model.ok()) return model.status();
  try {
    (*model)->to(device_);
    (*model)->eval();
  } catch (const c10::Error& e) {
    return absl::InternalError(
        absl::StrCat("moving model to ", device_.str(), ": ", e.what_without_backtrace()));
  }
  model_ = *model;
  info_.name = card.name;
  info_.version = card.version;
  info_.variant = card.config.variant;
  info_.input_size = card.config.input_size;
  info_.class_names = card.class_names;
  info_.weights_sha256 = card.weights_sha256;
  info_.partner_offset = card.partner_offset;
  info_.partner_interval_ms = card.partner_interval_ms;
  info_.cross_frame = card.config.cross_frame;
  policy_.size = card.config.input_size;
  policy_.crop_sector = card.config.crop_sector;
  policy_.rank_norm = card.config.input_norm == "rank";
  info_.model_card_json = ToJson(card).dump();
  info_.num_parameters = card.num_parameters;
  return absl::OkStatus();
}

absl::Status TorchSegmenter::LoadTorchScript(const std::string& path) {
  absl::StatusOr<std::string> sha = Sha256OfFile(path);
  if (!sha.ok()) return absl::InvalidArgumentError(sha.status().message());
  ModelCard card;
  card.name = "botm-torchscript";
  absl::StatusOr<ModelCard> read = ReadModelCard(ModelCardPathFor(path));
  const bool have_card = read.ok();
  if (have_card) {
    card = *read;
    if (!card.weights_sha256.empty() && card.weights_sha256 != *sha) {
      return absl::InvalidArgumentError(
          absl::StrCat("corrupt TorchScript module ", path, ": sha256 does not match its card"));
    }
  } else if (!absl::IsNotFound(read.status())) {
    return absl::InvalidArgumentError(read.status().message());
  }
  try {
    torch::InferenceMode guard;
    torch::jit::Module module = torch::jit::load(path, device_);
    module.eval();
    if (!have_card) {
      if (!module.hasattr("input_size") || !module.attr("input_size").isInt()) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ": no model card and no int attribute 'input_size'"));
      }
      card.config.input_size = static_cast<int>(module.attr("input_size").toInt());
    }
    const int64_t size = card.config.input_size;
    const torch::Tensor probe = torch::zeros({1, 1, size, size}, device_);
    const c10::IValue out = module.forward({probe, probe});
    if (!out.isTensor() ||
        out.toTensor().sizes() != torch::IntArrayRef({1, card.config.num_classes, size, size})) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": breaks the contract forward(a, b) -> logits [B, ",
                       card.config.num_classes, ", S, S] (docs/MODEL_FORMAT.md)"));
    }
    int64_t params = 0;
    for (const auto& p : module.parameters()) params += p.numel();
    card.num_parameters = params;
    script_ = module;
  } catch (const c10::Error& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("loading TorchScript ", path, ": ", e.what_without_backtrace()));
  }
  info_.name = card.name;
  info_.version = card.version;
  info_.variant = "torchscript";
  info_.input_size = card.config.input_size;
  info_.class_names = card.class_names;
  info_.weights_sha256 = *sha;
  info_.cross_frame = card.config.cross_frame;
  info_.model_card_json = ToJson(card).dump();
  info_.num_parameters = card.num_parameters;
  return absl::OkStatus();
}

}  // namespace internal
}  // namespace botm
