// Writes Motion-JPEG AVI files with OpenCV's built-in MJPEG encoder (no FFmpeg needed), e.g.
// overlay videos of a clip that play in common players.
//
// Use: Create(), AddFrame() per frame, Close(). Not thread-safe: one thread per writer. The
// writer owns its file; the destructor closes it.
#ifndef BOTM_CORE_IMAGE_VIDEO_WRITER_H_
#define BOTM_CORE_IMAGE_VIDEO_WRITER_H_

#include <memory>
#include <string>

#include <opencv2/core.hpp>
#include <opencv2/videoio.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace botm::image {

class MjpegWriter {
 public:
  struct Options {
    // Playback rate in frames per second (> 0).
    double frames_per_second = 25.0;
    // JPEG quality of each frame, 1..100.
    int jpeg_quality = 90;
  };

  // Opens `path` (conventionally *.avi). InvalidArgument for a bad size or options,
  // FailedPrecondition when the file cannot be opened.
  static absl::StatusOr<std::unique_ptr<MjpegWriter>> Create(const std::string& path, cv::Size size,
                                                             Options options);

  ~MjpegWriter();
  MjpegWriter(const MjpegWriter&) = delete;
  MjpegWriter& operator=(const MjpegWriter&) = delete;

  // Appends one 8-bit frame (gray, BGR or BGRA) of exactly the writer's size. InvalidArgument
  // for a wrong size or type, FailedPrecondition after Close.
  absl::Status AddFrame(const cv::Mat& image);

  // Finishes the AVI index and closes the file. Calling it again returns OK.
  absl::Status Close();

 private:
  MjpegWriter(std::string path, cv::Size size);

  std::string path_;
  cv::Size size_;
  cv::VideoWriter writer_;
  bool closed_ = false;
};

}  // namespace botm::image

#endif  // BOTM_CORE_IMAGE_VIDEO_WRITER_H_
