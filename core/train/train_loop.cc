// The training step loop: schedule, wall-clock budget, progress, validation, checkpoints.
#include <chrono>
#include <deque>
#include <numeric>

#include <spdlog/spdlog.h>

#include "absl/strings/str_format.h"
#include "core/common/progress_bar.h"
#include "core/train/loss.h"
#include "core/train/prefetcher.h"
#include "core/train/train_run.h"

namespace botm::train {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

LossParts Step(TrainRun& run, const Batch& batch, const LossOptions& lo, double lr) {
  torch::manual_seed(MixSeed(run.options.seed, static_cast<uint64_t>(run.step)));
  for (auto& group : run.optimizer->param_groups()) {
    static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
  }
  const PairTensors t = ToTensors(batch, run.device);
  BotmOutput out = run.model->forward(t.a, t.b);
  LossParts parts;
  torch::Tensor loss = PairLoss(out.logits_a, t.labels_a, out.logits_b, t.labels_b, lo, &parts);
  run.optimizer->zero_grad();
  loss.backward();
  torch::nn::utils::clip_grad_norm_(run.model->parameters(), 1.0);
  run.optimizer->step();
  return parts;
}

std::string DiceText(const std::vector<double>& d) {
  return absl::StrFormat("LV %.3f MYO %.3f LA %.3f", d.size() > 1 ? d[1] : 0.0,
                         d.size() > 2 ? d[2] : 0.0, d.size() > 3 ? d[3] : 0.0);
}

// Tracks the loop's clocks and the loss window of one invocation.
struct LoopClock {
  Clock::time_point start = Clock::now();
  Clock::time_point calib_start;
  int64_t steps_here = 0;
  std::deque<double> window;  // last 50 losses

  double MeanLoss() const {
    return window.empty() ? 0.0
                          : std::accumulate(window.begin(), window.end(), 0.0) / window.size();
  }
};

// Wall time of the run so far, earlier invocations included.
double RunWall(const TrainRun& run, const LoopClock& clock) {
  return run.wall_s_before + Seconds(clock.start, Clock::now());
}

// Step-based schedule, or with a budget the wall-time one (LearningRateAtFraction).
double CurrentLr(TrainRun& run, const LoopClock& clock) {
  const TrainOptions& o = run.options;
  if (o.time_budget_min <= 0) return LearningRateAt(run.step, run.total_steps, o.schedule);
  const double now = RunWall(run, clock);
  if (run.step >= o.schedule.warmup_steps && run.warmup_end_wall_s < 0) run.warmup_end_wall_s = now;
  const double span = o.time_budget_min * 60.0 - run.warmup_end_wall_s;
  const double fraction =
      run.warmup_end_wall_s < 0 || span <= 0 ? 0.0 : (now - run.warmup_end_wall_s) / span;
  return LearningRateAtFraction(run.step, fraction, o.schedule);
}

// With a budget, times steps 5..calibration_steps of this invocation and plans the total.
void MaybePlan(TrainRun& run, LoopClock& clock) {
  const TrainOptions& o = run.options;
  if (o.time_budget_min <= 0 || run.total_planned) return;
  const int64_t warm = std::min<int64_t>(5, o.calibration_steps / 2);
  if (clock.steps_here == warm) clock.calib_start = Clock::now();
  if (clock.steps_here != std::max<int64_t>(o.calibration_steps, warm + 1)) return;
  const double rate = (clock.steps_here - warm) / Seconds(clock.calib_start, Clock::now());
  const double remaining = o.time_budget_min * 60.0 - RunWall(run, clock);
  run.total_steps = PlanTotalSteps(run.step, rate, remaining, o.steps);
  run.total_planned = true;
  spdlog::info(
      "measured {:.3f} steps/s; about {} steps fit the budget (the cosine runs on wall time)", rate,
      run.total_steps);
}

TrainSummary Summarise(const TrainRun& run, const LoopClock& clock, std::vector<double> dice) {
  TrainSummary s;
  s.steps_done = run.step;
  s.total_steps = run.total_steps;
  const double here = Seconds(clock.start, Clock::now());
  s.wall_s = run.wall_s_before + here;
  s.images_per_s = here > 0 ? 2.0 * run.options.batch_size * clock.steps_here / here : 0.0;
  s.last_loss = clock.MeanLoss();
  s.validation_dice = std::move(dice);
  s.history = run.history;
  // An invocation without steps (e.g. re-saving as fp16) keeps the run's last logged values.
  if (clock.steps_here == 0) {
    for (auto it = run.history.rbegin(); it != run.history.rend(); ++it) {
      if (s.validation_dice.empty() && it->contains("val_dice")) {
        s.validation_dice = (*it)["val_dice"].get<std::vector<double>>();
      }
      if (s.last_loss == 0 && it->contains("loss")) s.last_loss = (*it)["loss"].get<double>();
      if (it->contains("images_per_s")) {
        s.images_per_s = (*it)["images_per_s"].get<double>();
        break;
      }
    }
  }
  return s;
}

}  // namespace

absl::StatusOr<TrainSummary> TrainLoop(TrainRun& run, const PairSource& source,
                                       const std::vector<FramePair>& validation) {
  const TrainOptions& o = run.options;
  LossOptions lo;
  lo.dice_weight = o.dice_weight;
  lo.ce_weight = 1.0 - o.dice_weight;
  lo.per_image_dice = o.per_image_dice;
  const PairTensors val = ToTensors(validation, run.device);
  BatchPrefetcher::Options po;
  po.source = &source;
  po.augment = o.augment;
  po.run_seed = o.seed;
  po.batch_size = o.batch_size;
  po.first_step = run.step;
  BatchPrefetcher prefetcher(po);
  ProgressBar::Options bo;
  bo.unit = "step";
  bo.enabled = o.progress;
  ProgressBar bar(o.model.cross_frame ? "train botm" : "train single-frame", run.total_steps, bo);
  LoopClock clock;
  std::vector<double> dice;
  run.model->train();
  const bool budget = o.time_budget_min > 0;
  double wait_s = 0, lr = 0;
  while (run.step < (budget ? o.steps : run.total_steps)) {
    if (o.stop_after_steps > 0 && clock.steps_here >= o.stop_after_steps) break;
    if (budget && RunWall(run, clock) >= o.time_budget_min * 60.0) break;
    const auto wait_start = Clock::now();
    absl::StatusOr<Batch> batch = prefetcher.Next();
    wait_s += Seconds(wait_start, Clock::now());
    if (!batch.ok()) return batch.status();
    lr = CurrentLr(run, clock);
    const LossParts parts = Step(run, *batch, lo, lr);
    if (!std::isfinite(parts.total)) {
      return absl::InternalError(absl::StrFormat("non-finite loss at step %d", run.step));
    }
    ++run.step;
    ++clock.steps_here;
    clock.window.push_back(parts.total);
    if (clock.window.size() > 50) clock.window.pop_front();
    MaybePlan(run, clock);
    const double ips = 2.0 * o.batch_size * clock.steps_here / Seconds(clock.start, Clock::now());
    if (run.total_planned && clock.steps_here == o.calibration_steps) {
      bar = ProgressBar(o.model.cross_frame ? "train botm" : "train single-frame", run.total_steps,
                        bo);
    }
    bar.Update(run.step, absl::StrFormat("loss %.4f %.1f img/s", clock.MeanLoss(), ips));
    const bool last = !budget && run.step == run.total_steps;
    if (o.validate_every_steps > 0 && (run.step % o.validate_every_steps == 0 || last)) {
      dice = Validate(run, val, o.batch_size);
      const double wait = wait_s / std::max(1e-9, Seconds(clock.start, Clock::now()));
      run.history.push_back({{"step", run.step},
                             {"loss", clock.MeanLoss()},
                             {"lr", lr},
                             {"images_per_s", ips},
                             {"wall_s", RunWall(run, clock)},
                             {"val_dice", dice}});
      spdlog::info("step {}/{} loss {:.4f} lr {:.2e} {:.1f} img/s data-wait {:.0f}% | val Dice {}",
                   run.step, run.total_steps, clock.MeanLoss(), lr, ips, 100 * wait,
                   DiceText(dice));
    }
    if (o.checkpoint_every_steps > 0 && run.step % o.checkpoint_every_steps == 0 && !last) {
      if (absl::Status s = SaveRun(run, Summarise(run, clock, dice)); !s.ok()) return s;
    }
  }
  bar.Finish(absl::StrFormat("loss %.4f", clock.MeanLoss()));
  if (budget) run.total_steps = run.step;
  const bool validated =
      !run.history.empty() && run.history.back().value("step", int64_t{-1}) == run.step;
  if (!validated && o.validation_pairs > 0) {
    dice = Validate(run, val, o.batch_size);
    run.history.push_back({{"step", run.step},
                           {"loss", clock.MeanLoss()},
                           {"lr", lr},
                           {"images_per_s", Summarise(run, clock, {}).images_per_s},
                           {"wall_s", RunWall(run, clock)},
                           {"val_dice", dice}});
  }
  TrainSummary summary = Summarise(run, clock, dice);
  if (absl::Status s = SaveRun(run, summary); !s.ok()) return s;
  spdlog::info("saved {} at step {} ({:.0f} s, {:.1f} img/s) val Dice {}", o.out_path, run.step,
               summary.wall_s, summary.images_per_s, DiceText(dice));
  return summary;
}

}  // namespace botm::train
