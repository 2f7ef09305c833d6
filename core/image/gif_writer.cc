#include "core/image/gif_writer.h"

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/image/gif_lzw.h"
#include "core/image/gif_palette.h"
#include "core/image/image_codec.h"

namespace botm::image {
namespace {

constexpr int kMaxSide = 65535;
constexpr int kMinCodeSize = 8;  // 256-colour palette

void AppendLe16(int v, std::string* out) {
  out->push_back(static_cast<char>(v & 0xff));
  out->push_back(static_cast<char>((v >> 8) & 0xff));
}

// Header, logical screen descriptor, global colour table and optional loop extension.
std::string FileHeader(cv::Size size, bool loop) {
  std::string h = "GIF89a";
  AppendLe16(size.width, &h);
  AppendLe16(size.height, &h);
  h.push_back(static_cast<char>(0xf7));      // global table, 8-bit colour resolution, 256 entries
  h.push_back('\0');                         // background colour index
  h.push_back('\0');                         // square pixels
  for (const cv::Vec3b& c : GifPalette()) {  // stored as RGB
    h.push_back(static_cast<char>(c[2]));
    h.push_back(static_cast<char>(c[1]));
    h.push_back(static_cast<char>(c[0]));
  }
  if (loop) {
    h.append("\x21\xff\x0bNETSCAPE2.0\x03\x01", 16);
    AppendLe16(0, &h);  // 0 = loop forever
    h.push_back('\0');
  }
  return h;
}

// Graphic control extension, image descriptor and LZW data of one frame of indices.
std::string FrameBlock(const cv::Mat& indices, int delay_cs) {
  std::string f("\x21\xf9\x04\x04", 4);  // disposal 1: leave the frame in place
  AppendLe16(delay_cs, &f);
  f.append("\x00\x00", 2);  // no transparent colour, block terminator
  f.push_back(',');         // image separator 0x2C
  AppendLe16(0, &f);
  AppendLe16(0, &f);
  AppendLe16(indices.cols, &f);
  AppendLe16(indices.rows, &f);
  f.push_back('\0');  // no local colour table, not interlaced
  f.push_back(static_cast<char>(kMinCodeSize));
  const cv::Mat packed = indices.isContinuous() ? indices : indices.clone();
  AppendGifSubBlocks(GifLzwEncode(packed.ptr<uint8_t>(0), packed.total(), kMinCodeSize), &f);
  return f;
}

}  // namespace

GifWriter::GifWriter(std::string path, cv::Size size, Options options)
    : path_(std::move(path)), size_(size), options_(options) {}

GifWriter::~GifWriter() { (void)Close(); }

absl::StatusOr<std::unique_ptr<GifWriter>> GifWriter::Create(const std::string& path, cv::Size size,
                                                             Options options) {
  if (size.width < 1 || size.height < 1 || size.width > kMaxSide || size.height > kMaxSide) {
    return absl::InvalidArgumentError(
        absl::StrCat("GIF size ", size.width, "x", size.height, " outside 1..", kMaxSide));
  }
  if (options.delay_centiseconds < 0 || options.delay_centiseconds > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("GIF delay_centiseconds ", options.delay_centiseconds, " outside 0..65535"));
  }
  std::unique_ptr<GifWriter> w(new GifWriter(path, size, options));
  w->file_.open(path, std::ios::binary | std::ios::trunc);
  if (!w->file_.is_open()) {
    w->closed_ = true;
    return absl::FailedPreconditionError(
        absl::StrCat("cannot open ", path, " for writing: ", std::strerror(errno)));
  }
  if (absl::Status s = w->WriteOrFail(FileHeader(size, options.loop)); !s.ok()) return s;
  return w;
}

absl::Status GifWriter::AddFrame(const cv::Mat& bgr) {
  if (closed_) return absl::FailedPreconditionError(absl::StrCat("GIF ", path_, " is closed"));
  if (bgr.size() != size_) {
    return absl::InvalidArgumentError(absl::StrCat("GIF frame ", bgr.cols, "x", bgr.rows,
                                                   ", the writer expects ", size_.width, "x",
                                                   size_.height));
  }
  if (bgr.depth() != CV_8U || (bgr.channels() != 1 && bgr.channels() != 3 && bgr.channels() != 4)) {
    return absl::InvalidArgumentError(
        absl::StrCat("GIF frame must be 8-bit gray, BGR or BGRA, got type ", bgr.type()));
  }
  absl::Status s = WriteOrFail(FrameBlock(MapToPalette(ToBgr8(bgr)), options_.delay_centiseconds));
  if (s.ok()) ++frames_;
  return s;
}

absl::Status GifWriter::Close() {
  if (closed_) return absl::OkStatus();
  absl::Status s = WriteOrFail(";");  // trailer 0x3B
  closed_ = true;
  file_.close();
  if (s.ok() && file_.fail()) {
    return absl::DataLossError(absl::StrCat("closing ", path_, " failed"));
  }
  return s;
}

absl::Status GifWriter::WriteOrFail(const std::string& bytes) {
  file_.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!file_.good()) {
    return absl::DataLossError(absl::StrCat("writing ", path_, " failed"));
  }
  return absl::OkStatus();
}

}  // namespace botm::image
