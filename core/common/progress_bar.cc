#include "core/common/progress_bar.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <utility>

namespace botm {

ProgressBar::ProgressBar(std::string label, int64_t total, Options options)
    : label_(std::move(label)),
      total_(std::max<int64_t>(total, 1)),
      options_(std::move(options)),
      tty_(isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

void ProgressBar::Update(int64_t done, const std::string& extra) {
  done_ = std::clamp<int64_t>(done, 0, total_);
  extra_ = extra;
  if (!options_.enabled) return;
  const auto now = std::chrono::steady_clock::now();
  if (tty_) {
    const auto since = std::chrono::duration_cast<std::chrono::milliseconds>(now - last_draw_);
    if (since.count() < options_.min_redraw_ms && done_ < total_) return;
    last_draw_ = now;
    Draw(false);
    return;
  }
  const int decile = static_cast<int>(done_ * 10 / total_);
  if (decile != last_decile_) {
    last_decile_ = decile;
    Draw(true);
  }
}

void ProgressBar::Finish(const std::string& extra) {
  if (!extra.empty()) extra_ = extra;
  if (!options_.enabled) return;
  Draw(true);
}

void ProgressBar::Draw(bool final_line) {
  const double elapsed_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = elapsed_s > 0 ? static_cast<double>(done_) / elapsed_s : 0.0;
  const double eta_s = rate > 0 ? static_cast<double>(total_ - done_) / rate : 0.0;
  const int filled = static_cast<int>(options_.width_chars * done_ / total_);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.append(static_cast<size_t>(options_.width_chars - filled), '.');
  std::fprintf(stderr, "%s%s [%s] %lld/%lld %.1f %s/s eta %.0fs%s%s%s", tty_ ? "\r\033[K" : "",
               label_.c_str(), bar.c_str(), static_cast<long long>(done_),
               static_cast<long long>(total_), rate, options_.unit.c_str(), eta_s,
               extra_.empty() ? "" : " | ", extra_.c_str(), (final_line || !tty_) ? "\n" : "");
  std::fflush(stderr);
}

}  // namespace botm
