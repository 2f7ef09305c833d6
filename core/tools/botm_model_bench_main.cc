// botm-model-bench: CPU/GPU timings of the BOTM network at the tensor level.
//
// For each (variant, input size): ms/frame in stream mode (one encoder pass per frame + decode
// against the cached partner features), pair mode (both frames encoded per frame) and the
// single-frame ablation, with the encoder, Sinkhorn (cost + iterations) and the whole
// cross-frame block (Sinkhorn + BCTA) timed separately; plus a training-throughput probe.
// Example: botm-model-bench --configs=tiny:128,tiny:256,b2:256 --iters=20 --threads=2
#include <chrono>
#include <cstdio>
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
#include "core/model/internal/sinkhorn.h"
#include "core/model/segmenter.h"

ABSL_FLAG(std::string, configs, "tiny:128,tiny:256",
          "comma list of variant:input_size[:s2] (s2 = decoder_stride 2)");
ABSL_FLAG(int, iters, 20, "timed iterations per measurement (after 3 warm-up passes)");
ABSL_FLAG(int, threads, 0, "intra-op threads (0 = hardware threads)");
ABSL_FLAG(int, train_batch, 8, "pairs per training step in the training probe (0 = skip)");
ABSL_FLAG(int, train_steps, 5, "timed training steps");
ABSL_FLAG(botm::Device, device, botm::Device::kAuto, "auto | cpu | cuda");

namespace botm {
namespace {

using Clock = std::chrono::steady_clock;

struct Timer {
  explicit Timer(torch::Device d) : device(d) {}
  void Sync() const {
    if (device.is_cuda()) torch::cuda::synchronize();
  }
  // Runs fn warm-up + `iters` times, returns mean ms per call.
  template <typename Fn>
  double Ms(Fn&& fn, int iters, ProgressBar* bar, int64_t* done) const {
    for (int i = 0; i < 3; ++i) fn();
    Sync();
    const auto t0 = Clock::now();
    for (int i = 0; i < iters; ++i) {
      fn();
      if (bar) bar->Update(++*done);
    }
    Sync();
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count() / iters;
  }
  torch::Device device;
};

// Cost + Sinkhorn iterations of every matched stage, without the attention.
void SinkhornOnly(const std::vector<torch::Tensor>& fa, const std::vector<torch::Tensor>& fb,
                  const ModelConfig& cfg) {
  for (int s : cfg.ot_stages) {
    const auto [ph, pw] = internal::PooledGrid(fa[s].size(2), fa[s].size(3), cfg.max_ot_tokens);
    const auto tokens = [&](const torch::Tensor& m) {
      return torch::adaptive_avg_pool2d(m, {ph, pw}).flatten(2).transpose(1, 2);
    };
    internal::LogSinkhorn(internal::CosineCost(tokens(fa[s]), tokens(fb[s])), cfg.ot_epsilon,
                          cfg.sinkhorn_iterations);
  }
}

void BenchConfig(const std::string& variant, int size, int decoder_stride, torch::Device device,
                 int iters) {
  ModelConfig cfg;
  cfg.variant = variant;
  cfg.input_size = size;
  cfg.decoder_stride = decoder_stride;
  torch::manual_seed(0);
  BotmModel model(cfg);
  cfg.cross_frame = false;
  torch::manual_seed(0);
  BotmModel single(cfg);
  model->to(device);
  single->to(device);
  model->eval();
  single->eval();
  torch::InferenceMode guard;
  const torch::Tensor a = torch::randn({1, 1, size, size}, device);
  const torch::Tensor b = torch::randn({1, 1, size, size}, device);
  const auto fa = model->Encode(a), fb = model->Encode(b);
  ProgressBar bar(variant + ":" + std::to_string(size), 7 * iters);
  int64_t done = 0;
  Timer t(device);
  const double enc = t.Ms([&] { model->Encode(a); }, iters, &bar, &done);
  const double fuse = t.Ms([&] { model->FuseStages(fa, fb); }, iters, &bar, &done);
  const double head = t.Ms([&] { model->Head(fa); }, iters, &bar, &done);
  const double stream =
      t.Ms([&] { model->DecodeWithPartner(model->Encode(a), fb); }, iters, &bar, &done);
  const double pair = t.Ms([&] { model->DecodeWithPartner(model->Encode(a), model->Encode(b)); },
                           iters, &bar, &done);
  const double abl =
      t.Ms([&] { single->DecodeWithPartner(single->Encode(a), {}); }, iters, &bar, &done);
  const double sinkhorn = t.Ms([&] { SinkhornOnly(fa, fb, model->config()); }, iters, &bar, &done);
  bar.Finish();
  torch::Tensor plan;
  model->FuseStages(fa, fb, &plan);
  std::printf(
      "%-5s %4d | stage-4 plan %ldx%ld, relative marginal error after %d iterations: %.2e\n",
      variant.c_str(), size, plan.size(1), plan.size(2), cfg.sinkhorn_iterations,
      internal::MarginalError(plan));
  std::printf(
      "%-5s %4d%s | params %.2fM | stream %.2f ms/frame | pair %.2f | single-frame %.2f | "
      "encoder %.2f | sinkhorn %.2f | sinkhorn+BCTA %.2f (%.0f%% of stream) | decoder %.2f\n",
      variant.c_str(), size, decoder_stride == 2 ? " s2" : "", CountParameters(model) / 1e6, stream,
      pair, abl, enc, sinkhorn, fuse, 100.0 * fuse / stream, head);
}

void BenchTraining(int batch, int steps, torch::Device device) {
  torch::manual_seed(0);
  BotmModel model(ModelConfig{});
  model->to(device);
  model->train();
  torch::optim::AdamW opt(model->parameters(), torch::optim::AdamWOptions(1e-3));
  const torch::Tensor a = torch::randn({batch, 1, 128, 128}, device);
  const torch::Tensor b = torch::randn({batch, 1, 128, 128}, device);
  const torch::Tensor y =
      torch::randint(0, 4, {batch, 128, 128}, torch::TensorOptions(device).dtype(torch::kLong));
  Timer t(device);
  ProgressBar bar("train tiny:128", steps);
  int64_t done = 0;
  const double ms = t.Ms(
      [&] {
        opt.zero_grad();
        const BotmOutput out = model->forward(a, b);
        (torch::nn::functional::cross_entropy(out.logits_a, y) +
         torch::nn::functional::cross_entropy(out.logits_b, y))
            .backward();
        opt.step();
      },
      steps, &bar, &done);
  bar.Finish();
  std::printf("train tiny 128, %d pairs/step: %.1f ms/step, %.1f images/s\n", batch, ms,
              2.0 * batch * 1000.0 / ms);
}

}  // namespace
}  // namespace botm

int main(int argc, char** argv) {
  botm::ParseFlags(argc, argv, __FILE__,
                   "botm-model-bench: ms/frame of the model in-process (stream vs pair, OT share)");
  const int threads = absl::GetFlag(FLAGS_threads);
  at::set_num_threads(threads > 0 ? threads
                                  : static_cast<int>(std::thread::hardware_concurrency()));
  const botm::Device dev = absl::GetFlag(FLAGS_device);
  const bool cuda = dev == botm::Device::kCuda ||
                    (dev == botm::Device::kAuto && torch::cuda::is_available());
  const torch::Device device = cuda ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
  std::printf("device %s, intra-op threads %d\n", device.str().c_str(), at::get_num_threads());
  for (absl::string_view item :
       absl::StrSplit(absl::GetFlag(FLAGS_configs), ',', absl::SkipEmpty())) {
    std::vector<std::string> parts = absl::StrSplit(item, ':');
    int size = 0;
    const bool s2 = parts.size() == 3 && parts[2] == "s2";
    if ((parts.size() != 2 && !s2) || !absl::SimpleAtoi(parts[1], &size)) {
      std::fprintf(stderr, "bad config '%s' (want variant:size[:s2])\n", std::string(item).c_str());
      return 2;
    }
    botm::BenchConfig(parts[0], size, s2 ? 2 : 4, device, absl::GetFlag(FLAGS_iters));
  }
  if (absl::GetFlag(FLAGS_train_batch) > 0) {
    botm::BenchTraining(absl::GetFlag(FLAGS_train_batch), absl::GetFlag(FLAGS_train_steps), device);
  }
  return 0;
}
