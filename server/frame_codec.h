// The reactor-side work on one frame: decoding the request's image (decode phase) and turning
// the model's output into a FrameResult (encode phase: mask PNG/RLE, areas, contours, LV
// measurements). Both are pure functions of their inputs.
//
// Thread-safety: all functions are thread-safe.
#ifndef BOTM_SERVER_FRAME_CODEC_H_
#define BOTM_SERVER_FRAME_CODEC_H_

#include <cstdint>

#include <opencv2/core.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "botm/v1/segmentation.pb.h"
#include "core/model/segmenter.h"
#include "server/inference_engine.h"

namespace botm::server {

// Decodes a Frame's encoded (PNG/JPEG) or raw image. InvalidArgument naming the reason for
// a missing, undecodable, too small (< 8x8) or too large (> max_frame_pixels; <= 0 = no
// limit) image, or a sample type/channel count the model does not take (8/16-bit; 1, 3, 4).
absl::StatusOr<cv::Mat> DecodeFrameImage(const v1::Frame& frame, int64_t max_frame_pixels);

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
// per-class areas (mm^2 with spacing), contours when asked, uncertainty, queue/inference
// timing, model identity. A non-OK or dropped job result gives an error/dropped result.
BuiltFrame BuildFrameResult(const v1::StreamConfig& config, const ModelInfo& model, uint64_t index,
                            int64_t timestamp_us, FrameJobResult job);

// Builds the result of a frame that failed before reaching the model.
BuiltFrame BuildFrameError(const ModelInfo& model, uint64_t index, int64_t timestamp_us,
                           const absl::Status& status);

}  // namespace botm::server

#endif  // BOTM_SERVER_FRAME_CODEC_H_
