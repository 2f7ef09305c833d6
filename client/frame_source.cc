#include "client/frame_source.h"

#include <algorithm>
#include <filesystem>
#include <utility>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>
#include <opencv2/videoio/registry.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/synth/echo_generator.h"

namespace botm::client {
namespace {

namespace fs = std::filesystem;

int64_t TimestampUs(int64_t index, double fps) {
  return fps > 0 ? static_cast<int64_t>(index * 1e6 / fps) : 0;
}

class SyntheticSource : public FrameSource {
 public:
  explicit SyntheticSource(std::unique_ptr<synth::EchoGenerator> generator)
      : generator_(std::move(generator)) {
    const synth::ClipInfo& clip = generator_->info();
    info_.description = absl::StrCat("synthetic seed ", clip.seed, " (", clip.num_frames,
                                     " frames, ", clip.width, "x", clip.height, ")");
    info_.num_frames = clip.num_frames;
    info_.fps = clip.fps;
    info_.spacing_mm_x = clip.spacing_mm_x;
    info_.spacing_mm_y = clip.spacing_mm_y;
  }
  const SourceInfo& info() const override { return info_; }
  absl::StatusOr<std::optional<SourceFrame>> Next() override {
    if (next_ >= info_.num_frames) return std::nullopt;
    SourceFrame frame;
    frame.image = generator_->Render(static_cast<int>(next_)).image;
    frame.timestamp_us = TimestampUs(next_, info_.fps);
    ++next_;
    return frame;
  }

 private:
  std::unique_ptr<synth::EchoGenerator> generator_;
  SourceInfo info_;
  int64_t next_ = 0;
};

class FolderSource : public FrameSource {
 public:
  FolderSource(std::string folder, std::vector<std::string> files) : files_(std::move(files)) {
    info_.description = absl::StrCat("folder ", folder, " (", files_.size(), " images)");
    info_.num_frames = static_cast<int64_t>(files_.size());
  }
  const SourceInfo& info() const override { return info_; }
  absl::StatusOr<std::optional<SourceFrame>> Next() override {
    if (next_ >= files_.size()) return std::nullopt;
    const std::string& path = files_[next_++];
    SourceFrame frame;
    frame.image = cv::imread(path, cv::IMREAD_UNCHANGED);
    if (frame.image.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("cannot decode image '", path, "'"));
    }
    return frame;
  }

 private:
  std::vector<std::string> files_;
  SourceInfo info_;
  size_t next_ = 0;
};

class VideoSource : public FrameSource {
 public:
  VideoSource(const std::string& path, std::unique_ptr<cv::VideoCapture> capture)
      : capture_(std::move(capture)) {
    info_.fps = capture_->get(cv::CAP_PROP_FPS);
    const double count = capture_->get(cv::CAP_PROP_FRAME_COUNT);
    info_.num_frames = count > 0 ? static_cast<int64_t>(count) : -1;
    info_.description = absl::StrCat("video ", path, " (", capture_->getBackendName(), ")");
  }
  const SourceInfo& info() const override { return info_; }
  absl::StatusOr<std::optional<SourceFrame>> Next() override {
    SourceFrame frame;
    if (!capture_->read(frame.image) || frame.image.empty()) return std::nullopt;
    frame.timestamp_us = TimestampUs(next_++, info_.fps);
    return frame;
  }

 private:
  std::unique_ptr<cv::VideoCapture> capture_;
  SourceInfo info_;
  int64_t next_ = 0;
};

absl::StatusOr<std::unique_ptr<FrameSource>> OpenSynthetic(absl::string_view spec,
                                                           const SourceOptions& options) {
  std::vector<absl::string_view> parts = absl::StrSplit(spec, ':');
  uint64_t seed = 0;
  int frames = 0;
  if (parts.size() < 2 || parts.size() > 3 || !absl::SimpleAtoi(parts[1], &seed) ||
      (parts.size() == 3 && (!absl::SimpleAtoi(parts[2], &frames) || frames <= 0))) {
    return absl::InvalidArgumentError(absl::StrCat(
        "bad synthetic input '", spec, "': expected synthetic:SEED or synthetic:SEED:FRAMES"));
  }
  synth::ClipOptions clip;
  clip.seed = seed;
  clip.width = clip.height = options.synthetic_size_px;
  clip.num_frames = frames;
  absl::StatusOr<std::unique_ptr<synth::EchoGenerator>> generator =
      synth::EchoGenerator::Create(clip);
  if (!generator.ok()) return generator.status();
  return std::make_unique<SyntheticSource>(*std::move(generator));
}

bool IsImageFile(const fs::path& path) {
  const std::string ext = absl::AsciiStrToLower(path.extension().string());
  return ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".bmp" || ext == ".tif" ||
         ext == ".tiff";
}

// A label mask beside the frames (botm-synth's mask_NNNN.png, exports' *_gt.png ...).
bool IsMaskName(const fs::path& path) {
  const std::string stem = absl::AsciiStrToLower(path.stem().string());
  if (absl::StartsWith(stem, "mask") || absl::StartsWith(stem, "label")) return true;
  for (const char* suffix : {"_mask", "_gt", "_label", "_labels", "_seg"}) {
    if (absl::EndsWith(stem, suffix)) return true;
  }
  return false;
}

// Natural order of file names: runs of digits compare as numbers ("frame_9" < "frame_10"),
// everything else byte by byte; equal keys fall back to the plain name.
bool NaturalLess(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (absl::ascii_isdigit(a[i]) && absl::ascii_isdigit(b[j])) {
      size_t ie = i, je = j;
      while (ie < a.size() && absl::ascii_isdigit(a[ie])) ++ie;
      while (je < b.size() && absl::ascii_isdigit(b[je])) ++je;
      std::string x = a.substr(i, ie - i), y = b.substr(j, je - j);
      x.erase(0, std::min(x.find_first_not_of('0'), x.size() - 1));
      y.erase(0, std::min(y.find_first_not_of('0'), y.size() - 1));
      if (x.size() != y.size()) return x.size() < y.size();
      if (x != y) return x < y;
      i = ie;
      j = je;
      continue;
    }
    if (a[i] != b[j]) return a[i] < b[j];
    ++i;
    ++j;
  }
  if (a.size() - i != b.size() - j) return a.size() - i < b.size() - j;
  return a < b;
}

absl::StatusOr<std::unique_ptr<FrameSource>> OpenFolder(const std::string& folder) {
  std::vector<std::string> files;
  bool frame_names = false;
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(folder, error)) {
    if (entry.is_regular_file() && IsImageFile(entry.path()) && !IsMaskName(entry.path())) {
      files.push_back(entry.path().filename().string());
      frame_names |= absl::StartsWith(absl::AsciiStrToLower(files.back()), "frame");
    }
  }
  if (frame_names) {  // a folder that names its frames: take only those
    files.erase(std::remove_if(files.begin(), files.end(),
                               [](const std::string& f) {
                                 return !absl::StartsWith(absl::AsciiStrToLower(f), "frame");
                               }),
                files.end());
  }
  if (error) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot list folder '", folder, "': ", error.message()));
  }
  if (files.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("folder '", folder, "' holds no images (.png .jpg .jpeg .bmp .tif .tiff)"));
  }
  std::sort(files.begin(), files.end(), NaturalLess);
  for (std::string& f : files) f = (fs::path(folder) / f).string();
  return std::make_unique<FolderSource>(folder, std::move(files));
}

std::string VideoBackends() {
  std::vector<std::string> names;
  for (cv::VideoCaptureAPIs api : cv::videoio_registry::getStreamBackends()) {
    names.push_back(cv::videoio_registry::getBackendName(api));
  }
  return names.empty() ? "none" : absl::StrJoin(names, ", ");
}

absl::StatusOr<std::unique_ptr<FrameSource>> OpenVideo(const std::string& path) {
  auto capture = std::make_unique<cv::VideoCapture>();
  bool opened = false;
  try {
    opened = capture->open(path, cv::CAP_ANY);
  } catch (const cv::Exception& e) {
    opened = false;
  }
  if (!opened) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot open '", path,
                     "' as a video or image folder (OpenCV video backends in this "
                     "build: ",
                     VideoBackends(), "; MJPG .avi always works)"));
  }
  return std::make_unique<VideoSource>(path, std::move(capture));
}

}  // namespace

absl::StatusOr<std::unique_ptr<FrameSource>> OpenFrameSource(absl::string_view spec,
                                                             const SourceOptions& options) {
  if (absl::StartsWith(spec, "synthetic:")) return OpenSynthetic(spec, options);
  const std::string path(spec);
  std::error_code error;
  if (path.empty() || !fs::exists(path, error)) {
    return absl::NotFoundError(absl::StrCat("input '", path, "' does not exist"));
  }
  if (fs::is_directory(path, error)) return OpenFolder(path);
  return OpenVideo(path);
}

}  // namespace botm::client
