#include "core/model/internal/model_bench.h"

#include <algorithm>
#include <chrono>

#include "core/model/internal/flop_counter.h"
#include "core/model/internal/sinkhorn.h"

namespace botm {
namespace internal {
namespace {

using Clock = std::chrono::steady_clock;

void Sync(torch::Device device) {
  if (device.is_cuda()) torch::cuda::synchronize();
}

template <typename Fn>
int64_t CountFlops(Fn&& fn) {
  FlopCounter counter;
  fn();
  return counter.total();
}

}  // namespace

double MeanMs(const std::function<void()>& fn, int iters, torch::Device device, int warmup,
              const std::function<void()>& on_iteration) {
  for (int i = 0; i < warmup; ++i) fn();
  Sync(device);
  const auto t0 = Clock::now();
  for (int i = 0; i < iters; ++i) {
    fn();
    if (on_iteration) on_iteration();
  }
  Sync(device);
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count() / std::max(1, iters);
}

std::vector<torch::Tensor> SinkhornOnly(const std::vector<torch::Tensor>& fa,
                                        const std::vector<torch::Tensor>& fb,
                                        const ModelConfig& config, int iterations) {
  std::vector<torch::Tensor> plans;
  for (int s : config.ot_stages) {
    plans.push_back(LogSinkhorn(CosineCost(PooledTokens(fa[s], config.max_ot_tokens),
                                           PooledTokens(fb[s], config.max_ot_tokens)),
                                config.ot_epsilon,
                                iterations > 0 ? iterations : config.sinkhorn_iterations));
  }
  return plans;
}

PathTimes TimePaths(BotmModel& model, BotmModel& single, const torch::Tensor& a,
                    const torch::Tensor& b, int iters, const std::function<void()>& on_iteration) {
  torch::InferenceMode guard;
  const torch::Device device = a.device();
  const auto fa = model->Encode(a), fb = model->Encode(b);
  const auto time = [&](const std::function<void()>& fn) {
    return MeanMs(fn, iters, device, 3, on_iteration);
  };
  PathTimes ms;
  ms.encoder = time([&] { model->Encode(a); });
  ms.cross_frame = time([&] { model->FuseStages(fa, fb); });
  ms.decoder = time([&] { model->Head(fa); });
  ms.stream = time([&] { model->DecodeWithPartner(model->Encode(a), fb); });
  ms.pair = time([&] { model->DecodeWithPartner(model->Encode(a), model->Encode(b)); });
  ms.single = time([&] { single->DecodeWithPartner(single->Encode(a), {}); });
  ms.sinkhorn = time([&] { SinkhornOnly(fa, fb, model->config()); });
  return ms;
}

PathFlops CountPathFlops(BotmModel& model, BotmModel& single, const torch::Tensor& a,
                         const torch::Tensor& b) {
  torch::InferenceMode guard;
  PathFlops flops;
  std::vector<torch::Tensor> fa, fused;
  flops.encoder = CountFlops([&] { fa = model->Encode(a); });
  const std::vector<torch::Tensor> fb = model->Encode(b);
  flops.cross_frame = CountFlops([&] { fused = model->FuseStages(fa, fb); });
  flops.decoder = CountFlops([&] { model->Head(fused); });
  const std::vector<torch::Tensor> sa = single->Encode(a);
  flops.single_decoder = CountFlops([&] { single->DecodeWithPartner(sa, {}); });
  if (a.device().is_cpu()) flops.sinkhorn_loops = SinkhornLoopFlops(model->config(), fa);
  return flops;
}

NetworkRun MeasureNetwork(BotmModel model, torch::Device device, int iters,
                          const std::function<void()>& on_iteration) {
  NetworkRun run;
  run.config = model->config();
  run.params = CountParameters(model);
  ModelConfig cfg = run.config;
  cfg.cross_frame = false;
  torch::manual_seed(0);
  BotmModel single(cfg);
  model->to(device);
  single->to(device);
  model->eval();
  single->eval();
  const int size = cfg.input_size;
  const torch::Tensor a = torch::randn({1, 1, size, size}, device);
  const torch::Tensor b = torch::randn({1, 1, size, size}, device);
  run.ms = TimePaths(model, single, a, b, iters, on_iteration);
  run.flops = CountPathFlops(model, single, a, b);
  torch::Tensor plan;
  {
    torch::InferenceMode guard;
    model->FuseStages(model->Encode(a), model->Encode(b), &plan);
  }
  run.plan_rows = plan.size(1);
  run.plan_cols = plan.size(2);
  run.marginal_error = MarginalError(plan);
  return run;
}

int64_t SinkhornLoopFlops(const ModelConfig& config, const std::vector<torch::Tensor>& maps) {
  int64_t flops = 0;
  for (int s : config.ot_stages) {
    const auto [ph, pw] = PooledGrid(maps[s].size(2), maps[s].size(3), config.max_ot_tokens);
    const int64_t tokens = ph * pw;
    flops += 4 * tokens * tokens * config.sinkhorn_iterations * maps[s].size(0);
  }
  return flops;
}

double TrainingStepMs(int batch, int steps, torch::Device device,
                      const std::function<void()>& on_iteration) {
  torch::manual_seed(0);
  ModelConfig cfg;
  BotmModel model(cfg);
  model->to(device);
  model->train();
  torch::optim::AdamW opt(model->parameters(), torch::optim::AdamWOptions(1e-3));
  const int s = cfg.input_size;
  const torch::Tensor a = torch::randn({batch, 1, s, s}, device);
  const torch::Tensor b = torch::randn({batch, 1, s, s}, device);
  const torch::Tensor y = torch::randint(0, cfg.num_classes, {batch, s, s},
                                         torch::TensorOptions(device).dtype(torch::kLong));
  const auto step = [&] {
    opt.zero_grad();
    const BotmOutput out = model->forward(a, b);
    (torch::nn::functional::cross_entropy(out.logits_a, y) +
     torch::nn::functional::cross_entropy(out.logits_b, y))
        .backward();
    opt.step();
  };
  return MeanMs(step, steps, device, 3, on_iteration);
}

MatmulPeak MeasureMatmulPeak(int n, int reps, torch::Device device) {
  torch::InferenceMode guard;
  torch::manual_seed(0);
  const torch::Tensor x = torch::randn({n, n}, device);
  const torch::Tensor y = torch::randn({n, n}, device);
  torch::Tensor out = torch::mm(x, y);  // warm-up (allocates the output, wakes the threads)
  std::vector<double> ms;
  for (int r = 0; r < reps; ++r) {
    ms.push_back(MeanMs([&] { torch::mm_out(out, x, y); }, 1, device, /*warmup=*/0));
  }
  std::sort(ms.begin(), ms.end());
  const double flop = 2.0 * n * static_cast<double>(n) * n;
  MatmulPeak peak;
  peak.n = n;
  peak.reps = reps;
  peak.best_gflops = flop / (ms.front() * 1e6);
  peak.median_gflops = flop / (ms[ms.size() / 2] * 1e6);
  return peak;
}

nlohmann::json ToJson(const PathTimes& ms) {
  return {{"stream", ms.stream},   {"pair", ms.pair},         {"single_frame", ms.single},
          {"encoder", ms.encoder}, {"sinkhorn", ms.sinkhorn}, {"sinkhorn_bcta", ms.cross_frame},
          {"decoder", ms.decoder}};
}

nlohmann::json ToJson(const PathFlops& f) {
  return {{"encoder", f.encoder},       {"cross_frame", f.cross_frame},
          {"decoder", f.decoder},       {"single_frame_decoder", f.single_decoder},
          {"stream_frame", f.stream()}, {"pair_frame", f.pair()},
          {"single_frame", f.single()}, {"sinkhorn_loops_not_in_totals", f.sinkhorn_loops}};
}

}  // namespace internal
}  // namespace botm
