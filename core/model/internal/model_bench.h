// The measurements behind botm-model-bench (core/tools/botm_model_bench_main.cc), at the tensor
// level: per-path timings of one BOTM network, its FLOPs per frame counted from the operators
// it runs (flop_counter.h), and the machine's fp32 matrix-multiply peak.
//
// Thread-safety: single-threaded (intra-op threads come from at::set_num_threads).
#ifndef BOTM_CORE_MODEL_INTERNAL_MODEL_BENCH_H_
#define BOTM_CORE_MODEL_INTERNAL_MODEL_BENCH_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include "core/model/internal/botm_model.h"

namespace botm {
namespace internal {

// Mean wall time per call of fn, milliseconds: `warmup` untimed calls, then `iters` timed ones
// (CUDA synchronised before and after). on_iteration (may be empty) runs after each timed call.
double MeanMs(const std::function<void()>& fn, int iters, torch::Device device, int warmup = 3,
              const std::function<void()>& on_iteration = {});

// Milliseconds per frame of each inference path of one network.
struct PathTimes {
  double stream = 0;       // encoder of the new frame + cross-frame block + decoder
  double pair = 0;         // both frames encoded, then cross-frame block + decoder
  double single = 0;       // single-frame ablation (no cross-frame block)
  double encoder = 0;      // one frame
  double sinkhorn = 0;     // cost + Sinkhorn iterations of every matched stage, no attention
  double cross_frame = 0;  // the whole block: Sinkhorn + BCTA on every matched stage
  double decoder = 0;      // the all-MLP head
};

// FLOPs per frame (flop_counter.h conventions: conv/linear/matmul multiply-adds x 2).
struct PathFlops {
  int64_t encoder = 0;
  int64_t cross_frame = 0;     // cost matrices, projections and BCTA of every matched stage
  int64_t decoder = 0;         // head of the cross-frame model
  int64_t single_decoder = 0;  // head of the single-frame ablation
  // The CPU scaling-form Sinkhorn loops (no ATen operators, so not counted above): 4 N' M' per
  // iteration and matched stage (the K v and K^T u products). Not part of the totals below.
  int64_t sinkhorn_loops = 0;
  int64_t stream() const { return encoder + cross_frame + decoder; }
  int64_t pair() const { return 2 * encoder + cross_frame + decoder; }
  int64_t single() const { return encoder + single_decoder; }
};

// Everything measured of one network on two random frames.
struct NetworkRun {
  std::string name;  // set by the caller
  ModelConfig config;
  int64_t params = 0;
  PathTimes ms;
  PathFlops flops;
  int64_t plan_rows = 0, plan_cols = 0;  // the stage-4 plan
  double marginal_error = 0;             // of that plan (MarginalError)
};

// Builds the single-frame ablation of model's config (seed 0), moves both to `device` in eval
// mode, and runs TimePaths, CountPathFlops and one FuseStages for the plan on two randn frames.
NetworkRun MeasureNetwork(BotmModel model, torch::Device device, int iters,
                          const std::function<void()>& on_iteration);

// Times every path of `model` (cross-frame) and `single` (its ablation, same variant and size)
// on inputs a and b ([1, 1, S, S], normalised). on_iteration as in MeanMs.
PathTimes TimePaths(BotmModel& model, BotmModel& single, const torch::Tensor& a,
                    const torch::Tensor& b, int iters, const std::function<void()>& on_iteration);

// Counts the FLOPs of one pass of every path (eval mode, under InferenceMode).
PathFlops CountPathFlops(BotmModel& model, BotmModel& single, const torch::Tensor& a,
                         const torch::Tensor& b);

// 4 N' M' x iterations summed over the matched stages of frames with these encoder maps.
int64_t SinkhornLoopFlops(const ModelConfig& config, const std::vector<torch::Tensor>& maps);

// Cost + Sinkhorn of every matched stage between two frames' encoder maps (what PathTimes
// calls "sinkhorn"); `iterations` overrides the config's count when > 0. Returns the log-plans.
std::vector<torch::Tensor> SinkhornOnly(const std::vector<torch::Tensor>& fa,
                                        const std::vector<torch::Tensor>& fb,
                                        const ModelConfig& config, int iterations = 0);

// Mean milliseconds of one AdamW training step of the default tiny@128 network on `batch` random
// pairs (forward on both frames, cross-entropy, backward, step); 3 untimed steps first.
double TrainingStepMs(int batch, int steps, torch::Device device,
                      const std::function<void()>& on_iteration);

struct MatmulPeak {
  int n = 0;                 // square side
  int reps = 0;              // timed products
  double best_gflops = 0;    // 2 n^3 / fastest product
  double median_gflops = 0;  // 2 n^3 / median product
};

// torch::mm of two n x n fp32 matrices, reps times after one warm-up, with the current intra-op
// thread count. n >= 1, reps >= 1.
MatmulPeak MeasureMatmulPeak(int n, int reps, torch::Device device);

nlohmann::json ToJson(const PathTimes& ms);
nlohmann::json ToJson(const PathFlops& flops);

}  // namespace internal
}  // namespace botm

#endif  // BOTM_CORE_MODEL_INTERNAL_MODEL_BENCH_H_
