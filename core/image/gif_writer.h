// Writes animated GIF89a files (e.g. segmentation overlays of a clip) with the fixed palette
// of gif_palette.h, nearest-colour mapped, and LZW-compressed frames (gif_lzw.h).
//
// Use: Create(), AddFrame() per frame, Close(). Not thread-safe: one thread per writer. The
// writer owns its file; the destructor closes it (errors then go unreported: call Close()).
#ifndef BOTM_CORE_IMAGE_GIF_WRITER_H_
#define BOTM_CORE_IMAGE_GIF_WRITER_H_

#include <cstdint>
#include <fstream>
#include <memory>
#include <string>

#include <opencv2/core.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace botm::image {

class GifWriter {
 public:
  struct Options {
    // Display time of each frame, in hundredths of a second (0..65535); 4 = 25 frames/s.
    int delay_centiseconds = 4;
    // Loops forever (Netscape application extension); false plays once.
    bool loop = true;
  };

  // Opens `path` for writing and writes the header, palette and loop extension. `size` is the
  // size of every frame, 1..65535 per side. InvalidArgument for bad options or size,
  // FailedPrecondition when the file cannot be opened.
  static absl::StatusOr<std::unique_ptr<GifWriter>> Create(const std::string& path, cv::Size size,
                                                           Options options);
  static absl::StatusOr<std::unique_ptr<GifWriter>> Create(const std::string& path, cv::Size size) {
    return Create(path, size, Options());
  }

  ~GifWriter();
  GifWriter(const GifWriter&) = delete;
  GifWriter& operator=(const GifWriter&) = delete;

  // Appends one frame: 8-bit BGR (gray and BGRA are converted), exactly the writer's size.
  // InvalidArgument for a wrong size or type, FailedPrecondition after Close, DataLoss when
  // writing fails.
  absl::Status AddFrame(const cv::Mat& bgr);

  // Writes the trailer and closes the file. Calling it again returns OK.
  absl::Status Close();

  int frames_written() const { return frames_; }

 private:
  GifWriter(std::string path, cv::Size size, Options options);
  absl::Status WriteOrFail(const std::string& bytes);

  std::string path_;
  cv::Size size_;
  Options options_;
  std::ofstream file_;
  int frames_ = 0;
  bool closed_ = false;
};

}  // namespace botm::image

#endif  // BOTM_CORE_IMAGE_GIF_WRITER_H_
