// Inference half of TorchSegmenter: pre-processing, batched encoder, batched decode, and the
// post-processing (resize of logits to the frame size, argmax, entropy) on the model's device.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "core/model/internal/preprocess.h"
#include "core/model/internal/sinkhorn.h"
#include "core/model/internal/torch_segmenter.h"

namespace botm {
namespace internal {
namespace {

namespace F = torch::nn::functional;

const TorchEncodedFrame* AsTorchFrame(const EncodedFramePtr& frame) {
  return dynamic_cast<const TorchEncodedFrame*>(frame.get());
}

// Concatenates tensor k of every frame along the batch dimension.
torch::Tensor Stack(const std::vector<const TorchEncodedFrame*>& frames, size_t k) {
  std::vector<torch::Tensor> parts;
  parts.reserve(frames.size());
  for (const TorchEncodedFrame* f : frames) parts.push_back(f->tensors()[k]);
  return torch::cat(parts, 0);
}

}  // namespace

absl::StatusOr<std::vector<EncodedFramePtr>> TorchSegmenter::Encode(
    absl::Span<const cv::Mat> images) {
  const int size = info_.input_size;
  InputPolicy policy = policy_;
  policy.size = size;
  std::vector<torch::Tensor> inputs;
  std::vector<cv::Rect> crops;
  for (size_t i = 0; i < images.size(); ++i) {
    absl::StatusOr<PreparedInput> prepared = PrepareFrame(images[i], policy);
    if (!prepared.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("image ", i, ": ", prepared.status().message()));
    }
    inputs.push_back(
        torch::from_blob(prepared->input.data, {1, 1, size, size}, torch::kFloat32).clone());
    crops.push_back(prepared->crop);
  }
  std::vector<EncodedFramePtr> out;
  if (inputs.empty()) return out;
  try {
    torch::InferenceMode guard;
    const torch::Tensor batch = BotmModelImpl::Normalize(torch::cat(inputs, 0).to(device_));
    std::vector<torch::Tensor> maps;
    if (model_)
      maps = (*model_)->Encode(batch);
    else
      maps = {batch};
    for (size_t i = 0; i < images.size(); ++i) {
      std::vector<torch::Tensor> own;
      for (const torch::Tensor& m : maps) own.push_back(m.narrow(0, i, 1).clone());
      out.push_back(
          std::make_shared<TorchEncodedFrame>(std::move(own), images[i].size(), crops[i]));
    }
  } catch (const c10::Error& e) {
    return absl::InternalError(absl::StrCat("encoder: ", e.what_without_backtrace()));
  }
  return out;
}

torch::Tensor TorchSegmenter::RunDecode(const std::vector<const TorchEncodedFrame*>& self,
                                        const std::vector<const TorchEncodedFrame*>& partner,
                                        torch::Tensor* plan) {
  std::vector<torch::Tensor> s, p;
  for (size_t k = 0; k < self[0]->tensors().size(); ++k) {
    s.push_back(Stack(self, k));
    p.push_back(Stack(partner, k));
  }
  if (model_) return (*model_)->DecodeWithPartner(s, p, plan);
  return script_->forward({s[0], p[0]}).toTensor();
}

FrameOutput TorchSegmenter::Postprocess(const torch::Tensor& logits, cv::Size size,
                                        cv::Rect crop) const {
  // logits [1, C, S, S] -> [1, C, h, w] on the crop (the whole frame without one), on the device.
  const torch::Tensor resized = F::interpolate(
      logits.to(torch::kFloat32), F::InterpolateFuncOptions()
                                      .size(std::vector<int64_t>{crop.height, crop.width})
                                      .mode(torch::kBilinear)
                                      .align_corners(false));
  const torch::Tensor log_p = torch::log_softmax(resized, 1);
  const torch::Tensor entropy =
      -(log_p.exp() * log_p).sum(1)[0] / std::log(static_cast<double>(logits.size(1)));
  const torch::Tensor labels = resized.argmax(1)[0].to(torch::kUInt8);
  const torch::Tensor heart = labels > 0;
  // Mean over heart pixels; over the whole frame if no heart is predicted.
  const torch::Tensor unc =
      heart.any().item<bool>() ? entropy.masked_select(heart).mean() : entropy.mean();
  FrameOutput out;
  out.uncertainty = unc.item<float>();
  const torch::Tensor host = labels.to(torch::kCPU).contiguous();
  const cv::Mat on_crop(crop.height, crop.width, CV_8UC1, host.data_ptr<uint8_t>());
  if (crop.size() == size) {
    out.labels = on_crop.clone();
  } else {
    out.labels = cv::Mat(size, CV_8UC1, cv::Scalar(0));
    on_crop.copyTo(out.labels(crop));
  }
  return out;
}

absl::StatusOr<std::vector<FrameOutput>> TorchSegmenter::Decode(
    absl::Span<const DecodeRequest> requests) {
  std::vector<const TorchEncodedFrame*> self, partner;
  for (size_t i = 0; i < requests.size(); ++i) {
    const TorchEncodedFrame* s = AsTorchFrame(requests[i].self);
    const TorchEncodedFrame* p = requests[i].partner ? AsTorchFrame(requests[i].partner) : s;
    if (s == nullptr || p == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("request ", i, ": missing or foreign EncodedFrame"));
    }
    self.push_back(s);
    partner.push_back(p);
  }
  std::vector<FrameOutput> outputs;
  if (requests.empty()) return outputs;
  try {
    torch::InferenceMode guard;
    torch::Tensor plan;
    const bool want_plan = options_.return_transport_plan && model_.has_value();
    const torch::Tensor logits = RunDecode(self, partner, want_plan ? &plan : nullptr);
    for (size_t i = 0; i < self.size(); ++i) {
      outputs.push_back(
          Postprocess(logits.narrow(0, i, 1), self[i]->original_size(), self[i]->crop()));
      if (want_plan && plan.defined()) {
        const torch::Tensor p = plan[i].to(torch::kCPU).to(torch::kFloat32).contiguous();
        outputs.back().transport_plan.assign(p.data_ptr<float>(), p.data_ptr<float>() + p.numel());
        const std::vector<int>& stages = (*model_)->config().ot_stages;
        const int last = *std::max_element(stages.begin(), stages.end());
        const torch::Tensor& map = self[i]->tensors()[last];
        const auto grid = PooledGrid(map.size(2), map.size(3), (*model_)->config().max_ot_tokens);
        outputs.back().plan_grid =
            cv::Size(static_cast<int>(grid.second), static_cast<int>(grid.first));
      }
    }
  } catch (const c10::Error& e) {
    return absl::InternalError(absl::StrCat("decoder: ", e.what_without_backtrace()));
  }
  return outputs;
}

}  // namespace internal
}  // namespace botm
