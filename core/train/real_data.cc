#include "core/train/real_data.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <opencv2/imgproc.hpp>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "core/train/volume_io.h"

namespace botm::train {
namespace {

namespace fs = std::filesystem;

cv::Mat ImageSlice(const Volume& v, int z) {
  const auto [mn, mx] = std::minmax_element(v.data.begin(), v.data.end());
  if (*mn >= 0.f && *mx <= 255.f) return SliceToGray8(v, z, 0.f, 255.f);
  return SliceToGray8(v, z, *mn, *mx);
}

// Resizes images (area/linear) and labels (nearest) in place and rescales the spacing.
void ResizeClip(const RealDataOptions& o, LabeledClip* clip) {
  if (o.resize_width_px <= 0 || o.resize_height_px <= 0 || clip->images.empty()) return;
  const cv::Size to(o.resize_width_px, o.resize_height_px);
  const cv::Size from = clip->images[0].size();
  clip->spacing_mm_x *= static_cast<double>(from.width) / to.width;
  clip->spacing_mm_y *= static_cast<double>(from.height) / to.height;
  for (cv::Mat& m : clip->images) cv::resize(m, m, to, 0, 0, cv::INTER_AREA);
  for (cv::Mat& m : clip->labels) {
    if (!m.empty()) cv::resize(m, m, to, 0, 0, cv::INTER_NEAREST);
  }
}

absl::Status CheckSameSize(const Volume& img, const Volume& gt, const std::string& what) {
  if (img.nx != gt.nx || img.ny != gt.ny || img.nz != gt.nz) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": image and mask sizes differ"));
  }
  return absl::OkStatus();
}

// Reads "LVef: 55.3" from a CAMUS Info_<view>.cfg; -1 when absent.
double ReadCamusEf(const std::string& cfg_path) {
  std::ifstream in(cfg_path);
  std::string line;
  while (std::getline(in, line)) {
    absl::string_view l(line);
    if (absl::ConsumePrefix(&l, "LVef:")) {
      double ef = -1;
      if (absl::SimpleAtod(absl::StripAsciiWhitespace(l), &ef)) return ef;
    }
  }
  return -1;
}

int LvArea(const cv::Mat& labels) { return cv::countNonZero(labels == 1); }

}  // namespace

absl::StatusOr<LabeledClip> LoadCamusView(const std::string& prefix, const std::string& ext,
                                          const RealDataOptions& options) {
  LabeledClip clip;
  clip.id = fs::path(prefix).filename().string();
  for (const char* phase : {"_ED", "_ES"}) {
    auto img = ReadVolume(prefix + phase + ext);
    if (!img.ok()) return img.status();
    auto gt = ReadVolume(prefix + phase + "_gt" + ext);
    if (!gt.ok()) return gt.status();
    if (absl::Status s = CheckSameSize(*img, *gt, prefix + phase); !s.ok()) return s;
    clip.images.push_back(ImageSlice(*img, 0));
    clip.labels.push_back(SliceToLabels(*gt, 0));
    clip.spacing_mm_x = img->spacing_x_mm;
    clip.spacing_mm_y = img->spacing_y_mm;
  }
  clip.ed = 0;
  clip.es = 1;
  const std::string view = clip.id.substr(clip.id.size() >= 3 ? clip.id.size() - 3 : 0);
  clip.ef_pct = ReadCamusEf((fs::path(prefix).parent_path() / ("Info_" + view + ".cfg")).string());
  ResizeClip(options, &clip);
  return clip;
}

absl::StatusOr<LabeledClip> LoadTedSequence(const std::string& prefix, const std::string& ext,
                                            const RealDataOptions& options) {
  auto img = ReadVolume(prefix + "_sequence" + ext);
  if (!img.ok()) return img.status();
  auto gt = ReadVolume(prefix + "_sequence_gt" + ext);
  if (!gt.ok()) return gt.status();
  if (absl::Status s = CheckSameSize(*img, *gt, prefix); !s.ok()) return s;
  LabeledClip clip;
  clip.id = fs::path(prefix).filename().string() + "_sequence";
  clip.spacing_mm_x = img->spacing_x_mm;
  clip.spacing_mm_y = img->spacing_y_mm;
  clip.dense = true;
  int best_max = -1, best_min = 1 << 30;
  for (int z = 0; z < img->nz; ++z) {
    clip.images.push_back(ImageSlice(*img, z));
    clip.labels.push_back(SliceToLabels(*gt, z));
    const int area = LvArea(clip.labels.back());
    if (area > best_max) best_max = area, clip.ed = z;
    if (area < best_min) best_min = area, clip.es = z;
  }
  ResizeClip(options, &clip);
  return clip;
}

absl::StatusOr<std::vector<LabeledClip>> LoadEchoFolder(const std::string& root,
                                                        const RealDataOptions& options) {
  std::error_code ec;
  if (!fs::is_directory(root, ec))
    return absl::NotFoundError(absl::StrCat(root, ": not a directory"));
  std::vector<std::string> files;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       it != fs::recursive_directory_iterator(); ++it) {
    if (it->is_regular_file()) files.push_back(it->path().string());
  }
  std::sort(files.begin(), files.end());
  std::vector<LabeledClip> clips;
  for (const std::string& f : files) {
    if (options.max_clips > 0 && static_cast<int>(clips.size()) >= options.max_clips) break;
    for (const std::string ext : {".nii.gz", ".mhd"}) {
      absl::StatusOr<LabeledClip> clip = absl::NotFoundError("");
      std::string prefix;
      if (absl::EndsWith(f, "_sequence_gt" + ext)) {
        prefix = f.substr(0, f.size() - ext.size() - 12);
        clip = LoadTedSequence(prefix, ext, options);
      } else if (absl::EndsWith(f, "_ED_gt" + ext)) {
        prefix = f.substr(0, f.size() - ext.size() - 6);
        const std::string view = prefix.substr(prefix.size() >= 3 ? prefix.size() - 3 : 0);
        if (std::find(options.views.begin(), options.views.end(), view) == options.views.end())
          continue;
        clip = LoadCamusView(prefix, ext, options);
      } else {
        continue;
      }
      if (!clip.ok()) return clip.status();
      clips.push_back(std::move(*clip));
    }
  }
  if (clips.empty()) return absl::NotFoundError(absl::StrCat("no CAMUS or TED data under ", root));
  return clips;
}

}  // namespace botm::train
