// Learning-rate schedule: linear warm-up, then cosine decay to min_lr_ratio * base_lr at
// total_steps (Loshchilov and Hutter, "SGDR", ICLR 2017, without restarts).
// With a wall-clock budget the total is planned from the measured step rate (PlanTotalSteps).
#ifndef BOTM_CORE_TRAIN_SCHEDULE_H_
#define BOTM_CORE_TRAIN_SCHEDULE_H_

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace botm::train {

struct ScheduleOptions {
  double base_lr = 1e-3;
  int64_t warmup_steps = 150;
  double min_lr_ratio = 0.02;
};

// Learning rate for 0-based `step` of a run of `total_steps` steps.
inline double LearningRateAt(int64_t step, int64_t total_steps, const ScheduleOptions& o) {
  if (o.warmup_steps > 0 && step < o.warmup_steps) {
    return o.base_lr * static_cast<double>(step + 1) / static_cast<double>(o.warmup_steps);
  }
  const int64_t span = std::max<int64_t>(1, total_steps - o.warmup_steps);
  const double t = std::clamp(static_cast<double>(step - o.warmup_steps) / span, 0.0, 1.0);
  const double cosine = 0.5 * (1.0 + std::cos(3.14159265358979323846 * t));
  return o.base_lr * (o.min_lr_ratio + (1.0 - o.min_lr_ratio) * cosine);
}

// Learning rate when the schedule runs on wall time (a time budget): warm-up over steps,
// then the cosine position is `fraction` in [0, 1] of the time left after warm-up, so the
// schedule ends annealed exactly when the budget is spent whatever the machine's load.
inline double LearningRateAtFraction(int64_t step, double fraction, const ScheduleOptions& o) {
  if (o.warmup_steps > 0 && step < o.warmup_steps) return LearningRateAt(step, step + 1, o);
  const double t = std::clamp(fraction, 0.0, 1.0);
  const double cosine = 0.5 * (1.0 + std::cos(3.14159265358979323846 * t));
  return o.base_lr * (o.min_lr_ratio + (1.0 - o.min_lr_ratio) * cosine);
}

// Plans the total step count for a wall-clock budget: the steps already done plus what the
// measured rate (steps/s) fits into the remaining time, scaled by `safety` (< 1 leaves room for
// validation and checkpoints), capped at max_steps and at least steps_done + 1.
inline int64_t PlanTotalSteps(int64_t steps_done, double steps_per_s, double remaining_s,
                              int64_t max_steps, double safety = 0.95) {
  const double more = std::max(0.0, steps_per_s * remaining_s * safety);
  const int64_t planned = steps_done + static_cast<int64_t>(more);
  return std::clamp<int64_t>(planned, steps_done + 1, std::max<int64_t>(max_steps, steps_done + 1));
}

}  // namespace botm::train

#endif  // BOTM_CORE_TRAIN_SCHEDULE_H_
