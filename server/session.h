// Per-stream state of one SegmentStream (or SegmentClip) call: the validated config, the
// expected next frame index, the LV area curve with online ED/ES detection, counters and the
// clip summary. Bounded memory: four doubles per frame, at most max_frames_per_clip frames.
// Cached partner features live in the stream's EngineStream (see inference_engine.h).
//
// Thread-safety: not thread-safe; the owner (a stream reactor) serialises calls. config() and
// model() may be read from any thread once Create() returned.
#ifndef BOTM_SERVER_SESSION_H_
#define BOTM_SERVER_SESSION_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "botm/v1/segmentation.pb.h"
#include "core/model/segmenter.h"
#include "server/frame_codec.h"
#include "server/inference_engine.h"

namespace botm::server {

struct SessionOptions {
  // Most frames in one stream or clip; more gives ResourceExhausted. >= 1.
  int64_t max_frames_per_clip = 10000;
  // Frames kept for online ED/ES detection (a trailing window of the LV area curve).
  int online_window_frames = 128;
  // An extremum is reported once this many later frames confirm it.
  int online_confirm_frames = 2;
};

class Session {
 public:
  // Validates the config against the model: InvalidArgument, with a BadRequest detail naming
  // the field, for a model_name that does not match, negative or non-finite spacing or frame
  // rate, or unknown enum values.
  static absl::StatusOr<std::unique_ptr<Session>> Create(const v1::StreamConfig& config,
                                                         const ModelInfo& model,
                                                         const SessionOptions& options);

  const v1::StreamConfig& config() const { return config_; }
  const ModelInfo& model() const { return model_; }
  EngineStreamOptions engine_options() const;

  // Checks and consumes the next frame index: FailedPrecondition when it is not the expected
  // one, ResourceExhausted past max_frames_per_clip (both with a BadRequest detail).
  absl::Status AcceptFrameIndex(uint64_t index);

  // Records a frame's result, in frame order: updates counters and the LV curve and sets the
  // result's phase fields when an ED/ES is newly confirmed.
  void Record(BuiltFrame* frame);

  // The summary of the frames recorded so far.
  v1::ClipSummary Summary() const;

  uint64_t frames_received() const { return next_index_; }

 private:
  Session(const v1::StreamConfig& config, const ModelInfo& model, const SessionOptions& o)
      : config_(config), model_(model), options_(o) {}
  void DetectOnline(BuiltFrame* frame);

  const v1::StreamConfig config_;
  const ModelInfo model_;
  const SessionOptions options_;
  uint64_t next_index_ = 0;
  uint64_t segmented_ = 0, failed_ = 0, dropped_ = 0;
  std::vector<double> area_px_;  // per frame, 0 for failed/dropped
  std::vector<double> area_mm2_;
  std::vector<double> volume_ml_;
  std::vector<double> curve_;   // area_px_ with gaps held at the last value (detection)
  int64_t last_reported_ = -1;  // newest frame already flagged ED/ES online
};

}  // namespace botm::server

#endif  // BOTM_SERVER_SESSION_H_
