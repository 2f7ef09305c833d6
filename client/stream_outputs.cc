#include "client/stream_outputs.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/image/gif_writer.h"
#include "core/image/image_codec.h"
#include "core/image/mask_codec.h"
#include "core/image/overlay.h"

namespace botm::client {
namespace {

namespace fs = std::filesystem;

absl::Status WriteFile(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) return absl::InternalError(absl::StrCat("cannot write '", path.string(), "'"));
  return absl::OkStatus();
}

absl::Status MakeDir(const fs::path& path) {
  std::error_code error;
  fs::create_directories(path, error);
  if (error) {
    return absl::InternalError(
        absl::StrCat("cannot create folder '", path.string(), "': ", error.message()));
  }
  return absl::OkStatus();
}

// Frames to draw as PNG overlays: first ED, first ES, then evenly spaced ones.
std::vector<size_t> OverlayFrames(const StreamOutcome& outcome, size_t available, int count) {
  std::set<size_t> picked;
  auto add = [&](uint64_t index) {
    if (index < available && static_cast<int>(picked.size()) < count) picked.insert(index);
  };
  if (!outcome.summary.ed_frames().empty()) add(outcome.summary.ed_frames(0));
  if (!outcome.summary.es_frames().empty()) add(outcome.summary.es_frames(0));
  for (int i = 0; i < count && available > 0; ++i) {
    add(static_cast<uint64_t>(i) * available / static_cast<size_t>(count));
  }
  return {picked.begin(), picked.end()};
}

absl::Status WriteGif(const fs::path& path, const std::vector<cv::Mat>& overlays,
                      int delay_centiseconds) {
  if (overlays.empty()) return absl::OkStatus();
  image::GifWriter::Options gif;
  gif.delay_centiseconds = delay_centiseconds;
  gif.loop = true;
  absl::StatusOr<std::unique_ptr<image::GifWriter>> writer =
      image::GifWriter::Create(path.string(), overlays.front().size(), gif);
  if (!writer.ok()) return writer.status();
  for (const cv::Mat& bgr : overlays) {
    if (absl::Status s = (*writer)->AddFrame(bgr); !s.ok()) return s;
  }
  return (*writer)->Close();
}

int GifDelay(const OutputOptions& options, double fps) {
  if (options.gif_delay_centiseconds > 0) return options.gif_delay_centiseconds;
  if (fps <= 0) return 4;
  return std::max(2, static_cast<int>(std::lround(100.0 / fps)));
}

}  // namespace

absl::StatusOr<cv::Mat> DecodeResultMask(const botm::v1::Mask& mask) {
  absl::StatusOr<cv::Mat> labels =
      mask.encoding() == botm::v1::MASK_ENCODING_RLE
          ? image::DecodeRle(mask.data(), static_cast<int>(mask.width()),
                             static_cast<int>(mask.height()))
          : image::DecodeMaskPng(mask.data());
  if (!labels.ok()) return labels.status();
  if (labels->cols != static_cast<int>(mask.width()) ||
      labels->rows != static_cast<int>(mask.height())) {
    return absl::InvalidArgumentError(absl::StrCat("mask is ", labels->cols, "x", labels->rows,
                                                   ", header says ", mask.width(), "x",
                                                   mask.height()));
  }
  return labels;
}

absl::Status WriteStreamOutputs(const OutputOptions& options, const std::vector<cv::Mat>& images,
                                const StreamOutcome& outcome, const RunContext& context) {
  const fs::path root(options.out_dir);
  for (const char* sub : {"masks", "overlay"}) {
    if (absl::Status s = MakeDir(root / sub); !s.ok()) return s;
  }
  std::vector<cv::Mat> labels(images.size());
  std::vector<cv::Mat> overlays;
  for (const botm::v1::FrameResult& result : outcome.results) {
    if (result.has_error() || result.dropped() || !result.has_mask()) continue;
    absl::StatusOr<cv::Mat> mask = DecodeResultMask(result.mask());
    if (!mask.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("frame ", result.index(), ": ", mask.status().message()));
    }
    absl::StatusOr<std::string> png = image::EncodeMaskPng(*mask);
    if (!png.ok()) return png.status();
    const fs::path file = root / "masks" / absl::StrFormat("mask_%04d.png", result.index());
    if (absl::Status s = WriteFile(file, *png); !s.ok()) return s;
    if (result.index() < images.size()) {
      labels[result.index()] = *mask;
      overlays.push_back(
          image::RenderOverlay(images[result.index()], *mask, options.overlay_alpha));
    }
  }
  for (size_t index : OverlayFrames(outcome, images.size(), options.overlay_png_count)) {
    if (labels[index].empty()) continue;
    image::OverlayOptions overlay;
    overlay.alpha = options.overlay_alpha;
    overlay.legend = true;
    absl::StatusOr<std::string> png =
        image::EncodePng(image::RenderOverlay(images[index], labels[index], overlay));
    if (!png.ok()) return png.status();
    const fs::path file = root / "overlay" / absl::StrFormat("overlay_%04d.png", index);
    if (absl::Status s = WriteFile(file, *png); !s.ok()) return s;
  }
  if (absl::Status s =
          WriteGif(root / "overlay.gif", overlays, GifDelay(options, context.source.fps));
      !s.ok()) {
    return s;
  }
  return WriteFile(root / "summary.json", BuildSummaryJson(outcome, context).dump(2) + "\n");
}

}  // namespace botm::client
