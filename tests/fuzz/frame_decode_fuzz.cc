// libFuzzer target: the server's frame decoding (server/frame_codec.h -> core/image decoders,
// libpng and libjpeg with our handlers). Input: byte 0 chooses the image kind (even: encoded
// PNG/JPEG bytes = the rest; odd: a raw image whose width, height, channels and bits come from
// bytes 1..6 and whose data is the rest).
//
// Invariants beyond "no crash, no sanitizer report": a decoded image respects the limits and
// the layout the model takes, and for encoded input the header predicted exactly the decoded
// layout (the decode budget relies on that prediction).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/image/image_codec.h"
#include "server/frame_codec.h"

namespace {

// Small enough to keep the fuzzer's memory bounded under ASan.
constexpr int64_t kMaxPixels = 1 << 20;
constexpr int64_t kMaxDecodedBytes = 8 << 20;

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  botm::v1::Frame frame;
  if (data[0] % 2 == 0) {
    frame.set_encoded(bytes);
  } else {
    if (bytes.size() < 6) return 0;
    auto* raw = frame.mutable_raw();
    raw->set_width(static_cast<uint8_t>(bytes[0]) | (static_cast<uint8_t>(bytes[1]) << 8));
    raw->set_height(static_cast<uint8_t>(bytes[2]) | (static_cast<uint8_t>(bytes[3]) << 8));
    raw->set_channels(static_cast<uint8_t>(bytes[4]));
    raw->set_bits_per_sample(static_cast<uint8_t>(bytes[5]));
    raw->set_data(bytes.substr(6));
  }
  const botm::server::FrameLimits limits{kMaxPixels, kMaxDecodedBytes};
  int warnings = 0;
  absl::StatusOr<int64_t> predicted = botm::server::CheckFrameHeader(frame, limits);
  absl::StatusOr<cv::Mat> image = botm::server::DecodeFrameImage(
      frame, limits, [&warnings](absl::string_view w) { warnings += !w.empty(); });
  if (!image.ok()) {
    Check(image.status().code() == absl::StatusCode::kInvalidArgument);
    return 0;
  }
  Check(predicted.ok());
  const int64_t decoded = static_cast<int64_t>(image->total() * image->elemSize());
  Check(int64_t{image->cols} * image->rows <= kMaxPixels && decoded <= kMaxDecodedBytes);
  Check(image->cols >= 8 && image->rows >= 8);
  Check(image->depth() == CV_8U || image->depth() == CV_16U);
  Check(image->channels() == 1 || image->channels() == 3 || image->channels() == 4);
  Check(*predicted == decoded);  // what the decode budget reserved
  return 0;
}
