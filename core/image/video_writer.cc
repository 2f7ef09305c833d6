#include "core/image/video_writer.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "core/image/image_codec.h"

namespace botm::image {

MjpegWriter::MjpegWriter(std::string path, cv::Size size) : path_(std::move(path)), size_(size) {}

MjpegWriter::~MjpegWriter() { (void)Close(); }

absl::StatusOr<std::unique_ptr<MjpegWriter>> MjpegWriter::Create(const std::string& path,
                                                                 cv::Size size, Options options) {
  if (size.width < 1 || size.height < 1 || size.width > 65535 || size.height > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("video size ", size.width, "x", size.height, " outside 1..65535"));
  }
  if (!(options.frames_per_second > 0) || options.jpeg_quality < 1 || options.jpeg_quality > 100) {
    return absl::InvalidArgumentError(absl::StrCat("video options: frames_per_second ",
                                                   options.frames_per_second, ", jpeg_quality ",
                                                   options.jpeg_quality));
  }
  std::unique_ptr<MjpegWriter> w(new MjpegWriter(path, size));
  try {
    w->writer_.open(path, cv::CAP_OPENCV_MJPEG, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'),
                    options.frames_per_second, size, /*isColor=*/true);
  } catch (const cv::Exception& e) {
    w->closed_ = true;
    return absl::FailedPreconditionError(absl::StrCat("cannot open ", path, ": ", e.what()));
  }
  if (!w->writer_.isOpened()) {
    w->closed_ = true;
    return absl::FailedPreconditionError(absl::StrCat("cannot open ", path, " for writing"));
  }
  w->writer_.set(cv::VIDEOWRITER_PROP_QUALITY, options.jpeg_quality);
  return w;
}

absl::Status MjpegWriter::AddFrame(const cv::Mat& image) {
  if (closed_) return absl::FailedPreconditionError(absl::StrCat("video ", path_, " is closed"));
  if (image.size() != size_) {
    return absl::InvalidArgumentError(absl::StrCat("video frame ", image.cols, "x", image.rows,
                                                   ", the writer expects ", size_.width, "x",
                                                   size_.height));
  }
  if (image.depth() != CV_8U ||
      (image.channels() != 1 && image.channels() != 3 && image.channels() != 4)) {
    return absl::InvalidArgumentError(
        absl::StrCat("video frame must be 8-bit gray, BGR or BGRA, got type ", image.type()));
  }
  try {
    writer_.write(ToBgr8(image));
  } catch (const cv::Exception& e) {
    return absl::DataLossError(absl::StrCat("writing ", path_, " failed: ", e.what()));
  }
  return absl::OkStatus();
}

absl::Status MjpegWriter::Close() {
  if (closed_) return absl::OkStatus();
  closed_ = true;
  try {
    writer_.release();
  } catch (const cv::Exception& e) {
    return absl::DataLossError(absl::StrCat("closing ", path_, " failed: ", e.what()));
  }
  return absl::OkStatus();
}

}  // namespace botm::image
