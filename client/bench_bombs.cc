#include "client/bench_bombs.h"

#include <cstdio>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "client/stream_client.h"
#include "core/image/image_codec.h"

namespace botm::client {

absl::StatusOr<std::string> MakeBombPng(const BombOptions& o) {
  if (o.width < 8 || o.height < 8 || (o.channels != 1 && o.channels != 3 && o.channels != 4) ||
      (o.bits != 8 && o.bits != 16)) {
    return absl::InvalidArgumentError(absl::StrCat("bad bomb layout ", o.width, "x", o.height, "x",
                                                   o.channels, " at ", o.bits, " bits"));
  }
  const cv::Mat zeros(o.height, o.width, CV_MAKETYPE(o.bits == 16 ? CV_16U : CV_8U, o.channels),
                      cv::Scalar::all(0));
  return image::EncodePng(zeros);
}

BombStats RunBombStreams(botm::v1::SegmentationService::StubInterface* stub,
                         const BombOptions& options, const std::string& png,
                         BenchClock::time_point end) {
  absl::Mutex mu;
  BombStats total;
  auto add_error = [&](const std::string& e) {
    for (const std::string& known : total.errors) {
      if (known == e) return;
    }
    if (total.errors.size() < 4) total.errors.push_back(e);
  };
  std::vector<std::thread> threads;
  for (int s = 0; s < options.streams; ++s) {
    threads.emplace_back([&, s] {
      StreamOptions so;
      so.config.set_client_tag(absl::StrCat("botm-bench-bomb-", s));
      so.config.set_mask_encoding(botm::v1::MASK_ENCODING_RLE);
      so.max_in_flight_frames = 2;
      so.send_rate_fps = options.fps;
      so.keep_results = false;
      BombStats mine;
      auto producer = [&](botm::v1::Frame* frame) -> absl::StatusOr<bool> {
        if (BenchClock::now() >= end) return false;
        frame->set_encoded(png);
        return true;
      };
      std::vector<std::string> errors;
      auto on_result = [&](const botm::v1::FrameResult& r, double) {
        if (r.has_error()) {
          ++mine.frames_refused;
          if (errors.empty()) errors.push_back(r.error().message());
        } else {
          ++mine.frames_segmented;
        }
      };
      absl::StatusOr<StreamOutcome> outcome = RunStream(stub, so, producer, on_result);
      absl::MutexLock lock(&mu);
      if (outcome.ok()) {
        total.frames_sent += outcome->frames_sent;
      } else {
        ++total.streams_failed;
        add_error(outcome.status().ToString());
      }
      total.frames_refused += mine.frames_refused;
      total.frames_segmented += mine.frames_segmented;
      for (const std::string& e : errors) add_error(e);
    });
  }
  for (std::thread& t : threads) t.join();
  return total;
}

std::string FormatBombStats(const BombStats& s) {
  std::string line =
      absl::StrCat("bombs: ", s.frames_sent, " sent, ", s.frames_refused, " refused, ",
                   s.frames_segmented, " segmented, ", s.streams_failed, " streams failed");
  if (!s.errors.empty()) absl::StrAppend(&line, " (first: ", s.errors.front(), ")");
  return line;
}

absl::Status ParseBombSize(const std::string& text, BombOptions* options) {
  if (std::sscanf(text.c_str(), "%dx%d", &options->width, &options->height) != 2) {
    return absl::InvalidArgumentError("--bomb_size must be WxH, got '" + text + "'");
  }
  return absl::OkStatus();
}

absl::StatusOr<BenchResult> RunWithBombs(
    botm::v1::SegmentationService::StubInterface* bomb_stub, const BombOptions& options,
    const std::string& png, double duration_s,
    const std::function<absl::StatusOr<BenchResult>()>& served_run) {
  const auto end =
      BenchClock::now() + std::chrono::milliseconds(static_cast<int64_t>(duration_s * 1000));
  BombStats stats;
  std::thread bomber([&] { stats = RunBombStreams(bomb_stub, options, png, end); });
  absl::StatusOr<BenchResult> run = served_run();
  bomber.join();
  std::printf("%s\n", FormatBombStats(stats).c_str());
  if (run.ok()) run->mode = "served+bombs";
  return run;
}

}  // namespace botm::client
