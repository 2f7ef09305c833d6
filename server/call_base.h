// The call state machine shared by the SegmentStream and SegmentClip reactors: the session,
// each frame's way (header limits -> decode budget -> decode on the codec pool -> engine ->
// result building on the codec pool), ordered results, the count of outstanding work,
// finish-once, cancellation (the admission slot is freed when the cancel arrives) and the one
// mapping from a call's end to metrics and its log line.
//
// Order: frames decode in parallel and may finish out of order, but reach the engine in frame
// order (the engine pairs each frame with the previous one submitted), and a frame that fails
// before the engine flushes a held PAIRING_MODE_NEXT frame at its place in that order.
//
// Contract with the reactor that derives from it: every method marked REQUIRES(mu_) runs with
// the reactor's reaction or callback holding mu_; after any asynchronous step completes
// (decode, engine answer, result built, flush) CallBase takes mu_, calls Progress(), and calls
// FinishReactor() outside mu_ once TakeFinish() allows it: the final status is set, the reactor
// is not busy (no write outstanding) and no work is outstanding, so no callback can outlive
// the reactor. The reactor deletes itself in OnDone after EndCall().
//
// Thread-safety: all state is guarded by mu_; session_ is set once under mu_ before any frame
// is accepted and is then only read (config() from codec threads without mu_).
#ifndef BOTM_SERVER_CALL_BASE_H_
#define BOTM_SERVER_CALL_BASE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <grpcpp/grpcpp.h>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "botm/v1/segmentation.grpc.pb.h"
#include "server/admission.h"
#include "server/decode_budget.h"
#include "server/frame_codec.h"
#include "server/service_env.h"
#include "server/session.h"

namespace botm::server {

class CallBase {
 public:
  CallBase(const CallBase&) = delete;
  CallBase& operator=(const CallBase&) = delete;

 protected:
  // `kind` names the call in logs ("stream", "clip"). Counts the call open and active.
  CallBase(grpc::CallbackServerContext* ctx, ServiceEnv* env,
           std::unique_ptr<AdmissionController::Ticket> ticket, const char* kind);
  virtual ~CallBase() = default;

  // Moves whatever can go further after a change (results to send, reads to start).
  virtual void Progress() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) = 0;
  // Whether an operation of the reactor's own (a write) defers Finish.
  virtual bool ReactorBusy() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) = 0;
  // Calls the reactor's Finish; never with mu_ held.
  virtual void FinishReactor(const grpc::Status& status) = 0;

  // Validates `config` against the model, admits its frame rate and opens the engine stream.
  // Returns the error the call must fail with (a load refusal marks the call rejected).
  absl::Status StartSession(const v1::StreamConfig& config) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Takes one frame: checks its index (fails the call when wrong), then bounds, decodes and
  // submits it; a frame that fails on the way gets its per-frame error result.
  void AcceptFrame(v1::Frame frame) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // No frame follows: a frame held for its successor (PAIRING_MODE_NEXT) is decoded.
  void EndOfFrames() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A full engine queue makes a frame wait (while another frame of the call is in the engine)
  // instead of answering it RESOURCE_EXHAUSTED: for SegmentClip, whose frames are all there.
  void WaitWhenEngineQueueFull() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { wait_when_full_ = true; }

  // Records answered frames in frame order in the session, counts them and hands each to
  // `emit`; stops when the call fails (emit may call Fail).
  void EmitInOrder(const std::function<void(BuiltFrame&&)>& emit)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Every accepted frame was emitted and no work is outstanding.
  bool AllEmitted() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Frames accepted and not yet emitted.
  int64_t FramesPending() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Sets the final status (the first one wins) and cancels the engine stream.
  void Fail(const absl::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Succeed() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { Fail(absl::OkStatus()); }
  bool finishing() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return final_.has_value(); }
  // The status to Finish with, once (see the class comment); frees the admission slot.
  std::optional<grpc::Status> TakeFinish() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Takes mu_, then finishes the reactor if TakeFinish() allows it.
  void FinishIfReady() ABSL_LOCKS_EXCLUDED(mu_);

  // OnCancel: frees the admission slot now and fails the call with CANCELLED.
  void CancelCall() ABSL_LOCKS_EXCLUDED(mu_);
  // OnDone: counts the outcome, writes the call's end line, counts the call closed.
  void EndCall() ABSL_LOCKS_EXCLUDED(mu_);

  absl::Mutex mu_;
  grpc::CallbackServerContext* const ctx_;
  ServiceEnv* const env_;
  InferenceEngine* const engine_;
  const std::string peer_;  // taken at the start: after a cancel gRPC says "unknown"
  const absl::Time started_;
  const char* const kind_;
  std::unique_ptr<AdmissionController::Ticket> ticket_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<Session> session_ ABSL_GUARDED_BY(mu_);
  EngineStreamPtr engine_stream_ ABSL_GUARDED_BY(mu_);
  int64_t work_ ABSL_GUARDED_BY(mu_) = 0;  // decodes, engine jobs + result building, flushes
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;

 private:
  struct FrameMeta {
    int64_t timestamp_us = 0;
    absl::Time received;
    double decode_ms = 0.0;
  };
  // A frame between acceptance and the engine.
  struct Pending {
    bool decoding = true;
    absl::Status error;                 // set: the frame failed before the engine
    cv::Mat image;                      // possibly scaled down for the model (max_model_side_px)
    cv::Size original_size;             // the frame's own size: the mask's
    std::unique_ptr<ImageLease> lease;  // a DecodeBudget lease
  };
  FrameLimits Limits() const;
  void StartDecode(uint64_t index, v1::Frame frame, int64_t bytes)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void OnDecoded(uint64_t index, absl::StatusOr<cv::Mat> image, cv::Size original_size,
                 std::unique_ptr<DecodeBudget::Lease> lease, double decode_ms);
  // Submits decoded frames and records failed ones in frame order, as far as possible.
  void AdvanceSubmissions() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status Submit(uint64_t index, Pending* frame) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void OnEngineAnswer(uint64_t index, cv::Size original_size, FrameJobResult result);
  void OnResultBuilt(uint64_t index, BuiltFrame built);
  void Flush() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RecordFrameError(uint64_t index, const absl::Status& status)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void CountFrame(const BuiltFrame& frame) const;
  void LogFrameProblem(uint64_t index, const char* what, absl::string_view message) const;

  std::map<uint64_t, FrameMeta> meta_ ABSL_GUARDED_BY(mu_);
  std::map<uint64_t, Pending> pending_ ABSL_GUARDED_BY(mu_);
  std::map<uint64_t, BuiltFrame> answered_ ABSL_GUARDED_BY(mu_);
  uint64_t accepted_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t next_submit_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t next_emit_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t engine_jobs_ ABSL_GUARDED_BY(mu_) = 0;
  bool flush_needed_ ABSL_GUARDED_BY(mu_) = false;  // kNext: a frame may be held
  bool end_of_frames_ ABSL_GUARDED_BY(mu_) = false;
  bool end_flushed_ ABSL_GUARDED_BY(mu_) = false;
  bool wait_when_full_ ABSL_GUARDED_BY(mu_) = false;
  bool rejected_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<absl::Status> final_ ABSL_GUARDED_BY(mu_);
  bool finish_called_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace botm::server

#endif  // BOTM_SERVER_CALL_BASE_H_
