// botm-synth-stats: the realism table of docs/MODEL.md for each difficulty bin, measured on the
// ED and ES frames of K clips per bin, plus the rendering speed at 128x128.
//
//   botm-synth-stats --clips 40 --size 128x128 [--bins normal,easy] [--montage FILE]
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "absl/flags/flag.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "core/common/flags.h"
#include "core/image/overlay.h"
#include "core/synth/echo_generator.h"
#include "core/tools/resolution_ceiling.h"

ABSL_FLAG(int, clips, 40, "Clips per difficulty bin (ED and ES frames of each are measured)");
ABSL_FLAG(int, size, 128, "Square frame size in pixels for the statistics");
ABSL_FLAG(std::string, bins, "all", "Comma-separated bins, or 'all'");
ABSL_FLAG(uint64_t, first_seed, 500000, "Seed of the first clip of each bin");
ABSL_FLAG(std::string, montage, "", "If set, writes ED/ES frames with overlays of 4 clips here");
ABSL_FLAG(int, anatomy_revision, 1, "heart sampler revision (1 or 2; docs/SYNTH.md)");
ABSL_FLAG(int, bench_frames, 200, "Frames rendered for the 128x128 speed benchmark");
ABSL_FLAG(std::string, ceiling, "",
          "Instead of the realism table: the resolution ceiling (core/tools/resolution_ceiling.h)"
          " of input/stride grids, e.g. 128/4,192/4,128/2, on ED and ES frames rendered at --size; "
          "each grid with and without the sector crop");

namespace {

using botm::synth::ClipInfo;
using botm::synth::Difficulty;
using botm::synth::EchoGenerator;
using botm::synth::Frame;

struct Target {
  const char* name;
  double median, p10, p90;  // real echo, MODEL.md
};

// Rows of the realism table, in print order; negative p10 = no real range known.
const Target kTargets[] = {
    {"LV mean", 64, 45, 94},
    {"myo mean", 102, 79, 127},
    {"LA mean", 76, 50, 123},
    {"tissue mean", 92, 65, 123},
    {"LV std/mean", 0.34, 0.23, 0.50},
    {"myo std/mean", 0.41, 0.26, 0.61},
    {"LA std/mean", 0.37, 0.25, 0.55},
    {"tissue std/mean", 0.45, 0.34, 0.66},
    {"LV share", 0.155, 0.09, 0.27},
    {"myo share", 0.17, 0.12, 0.28},
    {"LA share", 0.087, 0.05, 0.13},
    {"LV share ED", 0.19, -1, -1},
    {"LV share ES", 0.12, -1, -1},
    {"LV long/short", 1.9, 1.5, 2.4},
    {"heart top", 0.12, -1, -1},
    {"heart bottom", 0.96, -1, -1},
    // Myocardium / LV cavity area: no real range measured (a severely hypertrophied ventricle is
    // about 2 at end-diastole); the p90 and max show the implausible tails (docs/SYNTH.md).
    {"myo/LV area ED", -1, -1, -1},
    {"myo/LV area ES", -1, -1, -1},
};
constexpr int kRows = sizeof(kTargets) / sizeof(kTargets[0]);

// Appends this frame's measurements to rows[k] (k as in kTargets).
void Measure(const Frame& f, const ClipInfo& info, const cv::Mat& sector, bool ed,
             std::vector<std::vector<double>>& rows) {
  const double sector_px = cv::countNonZero(sector);
  const cv::Mat masks[4] = {f.labels == 1, f.labels == 2, f.labels == 3, (f.labels == 0) & sector};
  for (int r = 0; r < 4; ++r) {
    if (cv::countNonZero(masks[r]) < 20) continue;
    cv::Scalar mean, sd;
    cv::meanStdDev(f.image, mean, sd, masks[r]);
    rows[r].push_back(mean[0]);
    rows[4 + r].push_back(sd[0] / std::max(mean[0], 1e-6));
    if (r < 3) rows[8 + r].push_back(cv::countNonZero(masks[r]) / sector_px);
  }
  rows[ed ? 11 : 12].push_back(cv::countNonZero(masks[0]) / sector_px);
  rows[ed ? 16 : 17].push_back(cv::countNonZero(masks[1]) /
                               std::max(1.0, static_cast<double>(cv::countNonZero(masks[0]))));
  std::vector<cv::Point2f> pts;
  for (int v = 0; v < f.labels.rows; ++v) {
    for (int u = 0; u < f.labels.cols; ++u) {
      if (f.labels.at<uint8_t>(v, u) == 1) {
        pts.emplace_back(u * info.spacing_mm_x, v * info.spacing_mm_y);
      }
    }
  }
  if (pts.size() >= 20) {
    const cv::RotatedRect box = cv::minAreaRect(pts);
    const double lo = std::min(box.size.width, box.size.height);
    const double hi = std::max(box.size.width, box.size.height);
    if (lo > 0) rows[13].push_back(hi / lo);
  }
  int top = -1, bottom = -1;
  for (int v = 0; v < f.labels.rows; ++v) {
    if (cv::countNonZero(f.labels.row(v)) > 0) {
      if (top < 0) top = v;
      bottom = v;
    }
  }
  if (top >= 0) {  // depths measured from the sector's apex row
    const int apex = info.sector_box.y;
    rows[14].push_back((top - apex) * info.spacing_mm_y / 10 / info.depth_cm);
    rows[15].push_back((bottom + 1 - apex) * info.spacing_mm_y / 10 / info.depth_cm);
  }
}

double Quantile(std::vector<double> v, double q) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const double pos = q * (v.size() - 1);
  const size_t i = static_cast<size_t>(pos);
  const double f = pos - i;
  return i + 1 < v.size() ? v[i] * (1 - f) + v[i + 1] * f : v[i];
}

void PrintTable(Difficulty d, const std::vector<std::vector<double>>& rows) {
  std::printf(
      "\n## %s\n| quantity | synthetic median [p10, p90] | real median [p10, p90] | |\n"
      "|---|---|---|---|\n",
      botm::synth::DifficultyName(d).c_str());
  for (int k = 0; k < kRows; ++k) {
    const Target& t = kTargets[k];
    const double med = Quantile(rows[k], 0.5);
    const char* flag = t.p10 >= 0 && (med < t.p10 || med > t.p90) ? "OUTSIDE" : "";
    if (t.median < 0) {
      std::printf("| %s | %.3g [%.3g, %.3g], max %.3g | - | |\n", t.name, med,
                  Quantile(rows[k], 0.1), Quantile(rows[k], 0.9), Quantile(rows[k], 1.0));
    } else if (t.p10 >= 0) {
      std::printf("| %s | %.3g [%.3g, %.3g] | %.3g [%.3g, %.3g] | %s |\n", t.name, med,
                  Quantile(rows[k], 0.1), Quantile(rows[k], 0.9), t.median, t.p10, t.p90, flag);
    } else {
      std::printf("| %s | %.3g [%.3g, %.3g] | ~%.3g | |\n", t.name, med, Quantile(rows[k], 0.1),
                  Quantile(rows[k], 0.9), t.median);
    }
  }
}

void Benchmark() {
  botm::synth::ClipOptions o;
  o.seed = 12345;
  o.num_frames = 500;
  auto gen = EchoGenerator::Create(o);
  if (!gen.ok()) return;
  const int n = absl::GetFlag(FLAGS_bench_frames);
  // CPU time of this process (the machine may be shared), and wall time.
  const std::clock_t cpu0 = std::clock();
  const auto start = std::chrono::steady_clock::now();
  size_t checksum = 0;
  for (int t = 0; t < n; ++t) checksum += (*gen)->Render(t % 500).image.at<uint8_t>(64, 64);
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double s = static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC;
  const std::clock_t c0 = std::clock();
  for (int i = 0; i < 20; ++i) {
    o.seed = 777 + i;
    checksum += EchoGenerator::Create(o).ok();
  }
  const double cs = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
  std::printf(
      "\nbenchmark 128x128, one thread, CPU time: %.1f frames/s (%.2f ms per frame, "
      "%.2f ms per pair; wall %.2f ms per frame), Create() %.2f ms CPU [checksum %zu]\n",
      n / s, 1e3 * s / n, 2e3 * s / n, 1e3 * wall / n, 1e3 * cs / 20, checksum);
}

// Generator of clip `c` of bin `d` (seed --first_seed + c) at size x size.
absl::StatusOr<std::unique_ptr<EchoGenerator>> MakeClip(Difficulty d, int c, int size) {
  botm::synth::ClipOptions o;
  o.seed = absl::GetFlag(FLAGS_first_seed) + c;
  o.width = o.height = size;
  o.difficulty = d;
  o.anatomy_revision = absl::GetFlag(FLAGS_anatomy_revision);
  return EchoGenerator::Create(o);
}

// Prints mean and worst Dice per class of the ground truth's round trip through each grid.
int PrintCeiling(const std::vector<Difficulty>& bins, int size, int clips) {
  std::vector<botm::tools::GridSpec> specs =
      botm::tools::ParseGridSpecs(absl::GetFlag(FLAGS_ceiling));
  if (specs.empty()) {
    std::fprintf(stderr, "botm-synth-stats: bad --ceiling (want input/stride,...)\n");
    return 2;
  }
  std::printf(
      "| bin | input / stride | crop | Dice LV mean (min) | MYO | LA "
      "|\n|---|---|---|---|---|---|\n");
  for (Difficulty d : bins) {
    // The ED and ES frame of every clip, rendered once for all grids.
    std::vector<Frame> frames;
    for (int c = 0; c < clips; ++c) {
      auto gen = MakeClip(d, c, size);
      if (!gen.ok()) {
        std::fprintf(stderr, "botm-synth-stats: %s\n", gen.status().ToString().c_str());
        return 1;
      }
      for (int t : {(*gen)->info().ed_frames[0], (*gen)->info().es_frames[0]}) {
        frames.push_back((*gen)->Render(t));
      }
    }
    for (const botm::tools::GridSpec& base : specs) {
      for (bool crop : {true, false}) {
        botm::tools::GridSpec spec = base;
        spec.crop = crop;
        std::array<double, 3> sum{}, worst{1, 1, 1};
        for (const Frame& f : frames) {
          const auto dice =
              botm::tools::ClassDice(botm::tools::RoundTrip(f.image, f.labels, spec), f.labels);
          for (int k = 0; k < 3; ++k) sum[k] += dice[k], worst[k] = std::min(worst[k], dice[k]);
        }
        const double n = static_cast<double>(frames.size());
        std::printf("| %s | %d / %d | %s | %.3f (%.3f) | %.3f (%.3f) | %.3f (%.3f) |\n",
                    botm::synth::DifficultyName(d).c_str(), spec.input_size, spec.stride,
                    crop ? "yes" : "no", sum[0] / n, worst[0], sum[1] / n, worst[1], sum[2] / n,
                    worst[2]);
      }
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  botm::ParseFlags(argc, argv, __FILE__,
                   "Prints the synthetic-vs-real realism table per difficulty bin");
  std::vector<Difficulty> bins;
  const std::string bins_flag = absl::GetFlag(FLAGS_bins);
  for (absl::string_view name : absl::StrSplit(bins_flag, ',')) {
    if (name == "all") {
      for (int i = 0; i < botm::synth::kNumDifficulties; ++i) bins.push_back(Difficulty(i));
      continue;
    }
    auto d = botm::synth::ParseDifficulty(name);
    if (!d.ok()) {
      std::fprintf(stderr, "botm-synth-stats: %s\n", std::string(d.status().message()).c_str());
      return 2;
    }
    bins.push_back(*d);
  }
  const int size = absl::GetFlag(FLAGS_size), clips = absl::GetFlag(FLAGS_clips);
  if (!absl::GetFlag(FLAGS_ceiling).empty()) return PrintCeiling(bins, size, clips);
  std::vector<cv::Mat> montage_rows;
  for (Difficulty d : bins) {
    std::vector<std::vector<double>> rows(kRows);
    for (int c = 0; c < clips; ++c) {
      auto gen = MakeClip(d, c, size);
      if (!gen.ok()) {
        std::fprintf(stderr, "botm-synth-stats: %s\n", gen.status().ToString().c_str());
        return 1;
      }
      const ClipInfo& info = (*gen)->info();
      const cv::Mat sector = info.sector_mask;
      if (info.ed_frames.empty() || info.es_frames.empty()) continue;
      const Frame ed = (*gen)->Render(info.ed_frames[0]), es = (*gen)->Render(info.es_frames[0]);
      Measure(ed, info, sector, true, rows);
      Measure(es, info, sector, false, rows);
      if (c < 4 && !absl::GetFlag(FLAGS_montage).empty() && montage_rows.size() < 24) {
        cv::Mat parts[4] = {cv::Mat(), botm::image::RenderOverlay(ed.image, ed.labels, 0.4f),
                            cv::Mat(), botm::image::RenderOverlay(es.image, es.labels, 0.4f)};
        cv::cvtColor(ed.image, parts[0], cv::COLOR_GRAY2BGR);
        cv::cvtColor(es.image, parts[2], cv::COLOR_GRAY2BGR);
        cv::Mat row;
        cv::hconcat(parts, 4, row);
        montage_rows.push_back(row);
      }
    }
    PrintTable(d, rows);
  }
  if (!montage_rows.empty()) {
    cv::Mat all;
    cv::vconcat(montage_rows, all);
    cv::imwrite(absl::GetFlag(FLAGS_montage), all);
  }
  Benchmark();
  return 0;
}
