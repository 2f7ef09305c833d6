// A terminal progress bar for long work (training, evaluation, benchmarks, clients).
//
// Draws "label [#####.....] 42/100 3.1 it/s eta 18s | extra" on stderr, redrawn in place at most
// every `min_redraw_ms`. When stderr is not a terminal (CI logs) it prints a plain line every
// 10 % instead, so logs stay short.
// Thread-safety: thread-compatible (one owner thread calls Update/Finish).
#ifndef BOTM_CORE_COMMON_PROGRESS_BAR_H_
#define BOTM_CORE_COMMON_PROGRESS_BAR_H_

#include <chrono>
#include <cstdint>
#include <string>

namespace botm {

class ProgressBar {
 public:
  struct Options {
    int width_chars = 30;     // bar width
    int min_redraw_ms = 100;  // redraw throttle on a terminal
    std::string unit = "it";  // shown as "<unit>/s"
    bool enabled = true;      // false: draws nothing
  };
  ProgressBar(std::string label, int64_t total, Options options);
  ProgressBar(std::string label, int64_t total) : ProgressBar(std::move(label), total, Options()) {}

  // Sets progress to `done` (0..total) with an optional suffix (e.g. "loss 0.31").
  void Update(int64_t done, const std::string& extra = "");
  // Draws the final state and ends the line.
  void Finish(const std::string& extra = "");

 private:
  void Draw(bool final_line);

  std::string label_;
  int64_t total_;
  Options options_;
  int64_t done_ = 0;
  std::string extra_;
  bool tty_;
  int last_decile_ = -1;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace botm

#endif  // BOTM_CORE_COMMON_PROGRESS_BAR_H_
