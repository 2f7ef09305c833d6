// The reactor-side work on one frame: decoding the request's image (decode phase) and turning
// the model's output into a FrameResult (encode phase: mask PNG/RLE, areas, contours, LV
// measurements). Both are pure functions of their inputs.
//
// Thread-safety: all functions are thread-safe.
#ifndef BOTM_SERVER_FRAME_CODEC_H_
#define BOTM_SERVER_FRAME_CODEC_H_

#include <cstdint>
#include <functional>

#include <opencv2/core.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "botm/v1/segmentation.pb.h"
#include "core/model/segmenter.h"
#include "server/inference_engine.h"

namespace botm::server {

// Per-frame bounds; <= 0 = no limit.
struct FrameLimits {
  int64_t max_pixels = 0;         // width x height
  int64_t max_decoded_bytes = 0;  // width x height x channels x bytes per sample
};

// Returns the decoded size in bytes a Frame will have, from its image header (encoded) or its
// fields (raw), without decoding: InvalidArgument naming the sizes when a limit is exceeded,
// and for a missing image or an unreadable header. Cheap (header bytes only).
absl::StatusOr<int64_t> CheckFrameHeader(const v1::Frame& frame, const FrameLimits& limits);

// Decodes a Frame's encoded (PNG/JPEG) or raw image. InvalidArgument naming the reason for a
// missing, undecodable or corrupt image, one too small (< 8x8) or past `limits`, or a sample
// type/channel count the model does not take (8/16-bit; 1, 3, 4). Decoder warnings that leave
// the image intact go to `on_warning` (may be null).
absl::StatusOr<cv::Mat> DecodeFrameImage(
    const v1::Frame& frame, const FrameLimits& limits,
    const std::function<void(absl::string_view)>& on_warning = nullptr);

// A FrameResult plus the LV measurements the session keeps for the clip summary.
struct BuiltFrame {
  v1::FrameResult result;
  bool segmented = false;  // has a mask
  bool dropped = false;
  double lv_area_px = 0.0;
  double lv_area_mm2 = 0.0;   // 0 when the spacing is unknown
  double lv_volume_ml = 0.0;  // single-plane area-length, 0 when the spacing is unknown
};

// Fills the identity of `info` into `out`.
void SetModelIdentity(const ModelInfo& info, v1::ModelIdentity* out);

// Builds the result of a frame answered by the engine: mask in the configured encoding,
// per-class areas (mm^2 with spacing; classes named by model.class_names, label = index),
// contours when asked, uncertainty, queue/inference timing, model identity. A non-OK or
// dropped job result gives an error/dropped result. Costs up to tens of milliseconds for large
// frames: runs on the codec pool, never on a model worker.
BuiltFrame BuildFrameResult(const v1::StreamConfig& config, const ModelInfo& model, uint64_t index,
                            int64_t timestamp_us, FrameJobResult job);

// Builds the result of a frame that failed before reaching the model.
BuiltFrame BuildFrameError(const ModelInfo& model, uint64_t index, int64_t timestamp_us,
                           const absl::Status& status);

}  // namespace botm::server

#endif  // BOTM_SERVER_FRAME_CODEC_H_
