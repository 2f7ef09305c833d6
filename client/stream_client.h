// Streams one clip over botm.v1.SegmentationService/SegmentStream with the synchronous gRPC API: a
// writer thread sends the config and the frames while the calling thread reads the results,
// so writes and reads overlap. At most `max_in_flight_frames` frames are sent but not yet
// answered (a bounded window), and frames can be paced at a fixed rate.
//
// Thread-safety: RunStream may be called from several threads at once (one stream each); the
// stub is shared. `producer` runs on the writer thread, `on_result` on the calling thread.
#ifndef BOTM_CLIENT_STREAM_CLIENT_H_
#define BOTM_CLIENT_STREAM_CLIENT_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "botm/v1/segmentation.grpc.pb.h"

namespace botm::client {

// How frames travel on the wire.
enum class WireEncoding {
  kPng,  // Frame.encoded (PNG bytes)
  kRaw,  // Frame.raw (tightly packed pixels): no encode/decode cost
};

// Fills `frame` with `image` (8/16-bit, 1/3/4 channels) in the given encoding; leaves index
// and timestamp alone. InvalidArgument for an empty or unsupported image.
absl::Status FillFrame(const cv::Mat& image, WireEncoding encoding, botm::v1::Frame* frame);

// Sets frame->image and frame->timestamp_us of the next frame (RunStream sets the index) and
// returns true, or returns false at the end of the input. An error aborts the stream.
using FrameProducer = std::function<absl::StatusOr<bool>(botm::v1::Frame* frame)>;
// Receives every FrameResult in order, with the client-side latency in milliseconds (from just
// before the frame's Write to its result's arrival).
using ResultCallback = std::function<void(const botm::v1::FrameResult& result, double latency_ms)>;

struct StreamOptions {
  botm::v1::StreamConfig config;
  // Frames sent but not answered; the writer waits when the window is full. >= 1 (>= 2 with
  // PAIRING_MODE_NEXT, where the server answers frame t after t+1 arrives).
  int max_in_flight_frames = 8;
  // Sends frame i no earlier than i / send_rate_fps seconds after the start; 0 = no pacing.
  double send_rate_fps = 0;
  // Deadline of the whole stream in milliseconds; 0 = none.
  int64_t deadline_ms = 0;
  // Keeps every FrameResult in StreamOutcome::results (off for load generation).
  bool keep_results = true;
};

struct StreamOutcome {
  std::vector<botm::v1::FrameResult> results;  // in order, when keep_results
  bool has_summary = false;
  botm::v1::ClipSummary summary;
  int64_t frames_sent = 0;
  int64_t results_received = 0;
  double wall_seconds = 0;  // from the config's Write to the stream's end
};

// Runs one stream to its end. Returns the server's status as an absl::Status with the same
// code ("SegmentStream: <server message>") when the stream fails, the producer's error when it
// fails, InvalidArgument for bad options. Per-frame errors are results, not failures.
absl::StatusOr<StreamOutcome> RunStream(botm::v1::SegmentationService::StubInterface* stub,
                                        const StreamOptions& options, const FrameProducer& producer,
                                        const ResultCallback& on_result);

}  // namespace botm::client

#endif  // BOTM_CLIENT_STREAM_CLIENT_H_
