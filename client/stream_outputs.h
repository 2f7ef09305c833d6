// What `botm-client stream` writes for one clip: the label masks as PNG files, an animated
// overlay GIF, a few overlay PNGs and summary.json.
//
// Layout under out_dir: masks/mask_%04d.png (pixel value = class 0..3, one per segmented
// frame), overlay.gif, overlay/overlay_%04d.png, summary.json.
// Thread-safety: pure functions apart from the files they write.
#ifndef BOTM_CLIENT_STREAM_OUTPUTS_H_
#define BOTM_CLIENT_STREAM_OUTPUTS_H_

#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "botm/v1/segmentation.pb.h"
#include "client/frame_source.h"
#include "client/stream_client.h"

namespace botm::client {

struct OutputOptions {
  std::string out_dir;
  // Overlay PNGs written: the first ED and ES frames when known, then evenly spaced frames.
  int overlay_png_count = 4;
  // Class colour weight of the overlays, in [0, 1].
  float overlay_alpha = 0.45f;
  // GIF frame delay in 1/100 s; 0 = from the source's frame rate (4 when unknown).
  int gif_delay_centiseconds = 0;
};

// What summary.json records besides the server's results.
struct RunContext {
  std::string server_address;
  std::string input;
  SourceInfo source;
  botm::v1::StreamConfig config;
  std::vector<double> latency_ms;  // client-side latency per result, in order
};

// Decodes a FrameResult mask (PNG or RLE) into a CV_8UC1 label image, checking its size.
absl::StatusOr<cv::Mat> DecodeResultMask(const botm::v1::Mask& mask);

// Builds the summary.json document (per-frame areas, uncertainty, phases, timings, errors;
// clip summary with ED/ES and EF; model identity; client-side throughput and latency).
nlohmann::json BuildSummaryJson(const StreamOutcome& outcome, const RunContext& context);

// Writes all outputs. `images` are the frames sent, by index (for the overlays). Creates
// out_dir. Internal when a file cannot be written; InvalidArgument for an undecodable mask.
absl::Status WriteStreamOutputs(const OutputOptions& options, const std::vector<cv::Mat>& images,
                                const StreamOutcome& outcome, const RunContext& context);

}  // namespace botm::client

#endif  // BOTM_CLIENT_STREAM_OUTPUTS_H_
