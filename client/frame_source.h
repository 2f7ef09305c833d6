// Frame sources for the clients: a folder of images, a video file (cv::VideoCapture) or
// `synthetic:SEED[:FRAMES]` (the deterministic echo generator).
//
// A folder's frames: its image files (.png .jpg .jpeg .bmp .tif .tiff; not subfolders) except
// label masks (names starting with "mask" or "label", or whose stem ends with "_mask", "_gt",
// "_label", "_labels" or "_seg"); when some file names start with "frame" (botm-synth writes
// frame_NNNN.png beside mask_NNNN.png), only those. Order: natural order of the names, digit
// runs compared as numbers (frame_9 before frame_10).
//
// Thread-safety: thread-compatible; one thread pulls frames with Next().
#ifndef BOTM_CLIENT_FRAME_SOURCE_H_
#define BOTM_CLIENT_FRAME_SOURCE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <opencv2/core.hpp>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace botm::client {

struct SourceFrame {
  cv::Mat image;             // CV_8U or CV_16U, 1, 3 (BGR) or 4 channels
  int64_t timestamp_us = 0;  // from the source's frame rate (0 when unknown)
};

// Facts known when the source is opened.
struct SourceInfo {
  std::string description;  // "folder /x (12 images)", "synthetic seed 7", ...
  int64_t num_frames = -1;  // -1 when unknown (some video containers)
  double fps = 0;           // 0 when unknown
  double spacing_mm_x = 0;  // 0 when unknown (only synthetic sources know it)
  double spacing_mm_y = 0;
};

class FrameSource {
 public:
  virtual ~FrameSource() = default;
  virtual const SourceInfo& info() const = 0;
  // Returns the next frame, std::nullopt at the end, or an error (InvalidArgument naming the
  // file for an unreadable image).
  virtual absl::StatusOr<std::optional<SourceFrame>> Next() = 0;
};

struct SourceOptions {
  // Frame side in pixels of synthetic clips.
  int synthetic_size_px = 128;
};

// Opens `spec`: "synthetic:SEED" or "synthetic:SEED:FRAMES", a directory of images (frames
// chosen and ordered as above), or a video file. NotFound for a missing path; InvalidArgument for a
// bad synthetic spec, an empty folder or a file OpenCV cannot open as video (the message says which
// video support the build has).
absl::StatusOr<std::unique_ptr<FrameSource>> OpenFrameSource(absl::string_view spec,
                                                             const SourceOptions& options);

}  // namespace botm::client

#endif  // BOTM_CLIENT_FRAME_SOURCE_H_
