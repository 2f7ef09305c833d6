// The torch-free interface to BOTM inference. Everything outside core/model (server, client,
// training tools' I/O, tests) uses this header; <torch/torch.h> never appears in it.
//
// Two-step API so that a stream pays one encoder pass per frame:
//   Encode(images)      -> one EncodedFrame per image (the shared MiT encoder's features),
//   Decode(self, partner) -> optimal token matching + BCTA + decoder -> labels at the frame's
//                          own resolution.
// A live stream keeps the EncodedFrame of frame t-K as the partner of frame t (the first frame
// is paired with itself, the next K-1 with frame 0); EffectivePartnerOffset (below) gives K from
// the stream's request, its frame rate and the model card.
// Segment() and SegmentClip() wrap the two steps.
//
// Thread-safety: a Segmenter is thread-safe. Encode/Decode may run concurrently from several
// threads (the weights are read-only after Create()); the model pool relies on this.
// Determinism: on CPU, the same inputs give bit-identical outputs (no random tensors in the
// forward pass) for a fixed intra-op thread count.
// Errors: exceptions from LibTorch/OpenCV never leave this interface; they become statuses.
#ifndef BOTM_CORE_MODEL_SEGMENTER_H_
#define BOTM_CORE_MODEL_SEGMENTER_H_

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "core/model/partner.h"

namespace botm {

enum class Device { kAuto = 0, kCpu = 1, kCuda = 2 };

// Text form of Device for typed flags (ABSL_FLAG(botm::Device, ...)): "auto", "cpu", "cuda".
// Inline, so that tools parse the flag without linking the model library.
inline bool AbslParseFlag(absl::string_view text, Device* device, std::string* error) {
  if (text == "auto") {
    *device = Device::kAuto;
  } else if (text == "cpu") {
    *device = Device::kCpu;
  } else if (text == "cuda") {
    *device = Device::kCuda;
  } else {
    *error = "must be auto, cpu or cuda";
    return false;
  }
  return true;
}
inline std::string AbslUnparseFlag(Device device) {
  return device == Device::kCpu ? "cpu" : device == Device::kCuda ? "cuda" : "auto";
}

struct SegmenterOptions {
  // A BOTM checkpoint (NAME.pt with its model card NAME.json beside it) or a TorchScript module
  // (NAME.ts; contract in docs/MODEL_FORMAT.md). Empty = the shipped default model.
  std::string model_path;
  // kAuto: CUDA when LibTorch has it and a GPU is visible, else CPU.
  Device device = Device::kAuto;
  // LibTorch intra-op threads (at::set_num_threads); 0 = all hardware threads. Process-wide.
  int intra_op_threads = 0;
  // Keeps the stage-4 transport plan in FrameOutput (for matching pictures); costs memory.
  bool return_transport_plan = false;
};

struct ModelInfo {
  std::string name;                      // "botm" (or "botm-single-frame" for the ablation)
  std::string version;                   // from the model card
  std::string variant;                   // "tiny" | "b2" | "torchscript"
  int input_size = 0;                    // square model input in pixels
  std::vector<std::string> class_names;  // index = label value
  std::string weights_sha256;            // hex sha256 of the weights file
  bool cross_frame = true;               // false: single-frame ablation
  std::string device;                    // "cpu" | "cuda:0"
  std::string blas;                      // BLAS library loaded in this process
  int intra_op_threads = 0;
  std::string model_card_json;  // the whole card
  int64_t num_parameters = 0;
  int partner_offset = 1;       // the card's live partner offset K (frame t with t - K); see below
  int partner_interval_ms = 0;  // the card's live partner interval (0 = frames only); see below
};

// Opaque encoder features of one frame, plus the frame's original size. Immutable; may be
// shared between threads and kept by a stream session as the next frame's partner.
class EncodedFrame {
 public:
  virtual ~EncodedFrame() = default;
  virtual cv::Size original_size() const = 0;
};
using EncodedFramePtr = std::shared_ptr<const EncodedFrame>;

struct DecodeRequest {
  EncodedFramePtr self;     // the frame to segment (required)
  EncodedFramePtr partner;  // its partner frame; null = paired with itself
};

struct FrameOutput {
  cv::Mat labels;            // CV_8UC1 at the frame's original size; values 0..3
  float uncertainty = 0.0f;  // mean normalised entropy (0..1) over the pixels predicted as heart
  // Stage-4 transport plan (rows: tokens of self, cols: tokens of partner), row-major, only with
  // return_transport_plan; plan_grid is the token grid (cols x rows of the stage-4 map).
  std::vector<float> transport_plan;
  cv::Size plan_grid;
};

class Segmenter {
 public:
  // Loads the model. NotFound naming the path when the model file does not exist;
  // InvalidArgument for a corrupt checkpoint (sha256 mismatch with the card), a missing card,
  // a card/weights variant mismatch or a TorchScript module that breaks the contract;
  // Unavailable if kCuda is asked and there is no GPU. Runs one warm-up pass before returning.
  static absl::StatusOr<std::unique_ptr<Segmenter>> Create(const SegmenterOptions& options);
  virtual ~Segmenter() = default;

  virtual const ModelInfo& info() const = 0;

  // Pre-processes (any size >= 8x8, CV_8U or CV_16U, 1/3/4 channels; 3/4 are BGR[A]) and runs
  // the shared encoder on a batch. InvalidArgument naming the bad image's index otherwise.
  virtual absl::StatusOr<std::vector<EncodedFramePtr>> Encode(absl::Span<const cv::Mat> images) = 0;

  // Cross-frame block + decoder for a batch of (self, partner) pairs; logits are resized to
  // each frame's original size before the argmax.
  virtual absl::StatusOr<std::vector<FrameOutput>> Decode(
      absl::Span<const DecodeRequest> requests) = 0;

  // Encode + Decode of single frames, each paired with the given partner (null = itself).
  // Returns outputs in order; `encoded` (if not null) receives each image's features.
  absl::StatusOr<std::vector<FrameOutput>> Segment(absl::Span<const cv::Mat> images,
                                                   absl::Span<const EncodedFramePtr> partners,
                                                   std::vector<EncodedFramePtr>* encoded = nullptr);

  enum class Pairing {
    kPrevious,  // live: t with t-1, first frame with itself (no latency)
    kNext,      // clip: t with t+1, last frame with t-1 (one frame of latency)
  };
  // Text form for typed flags: "previous", "next".
  friend bool AbslParseFlag(absl::string_view text, Pairing* pairing, std::string* error) {
    if (text == "previous") {
      *pairing = Pairing::kPrevious;
    } else if (text == "next") {
      *pairing = Pairing::kNext;
    } else {
      *error = "must be previous or next";
      return false;
    }
    return true;
  }
  friend std::string AbslUnparseFlag(Pairing pairing) {
    return pairing == Pairing::kNext ? "next" : "previous";
  }
  // Segments a whole clip, encoding each frame once, decoding in batches of `batch_size`.
  // kPrevious pairs frame t with frame t - K, K = partner_offset (0 = the card's,
  // info().partner_offset), and the first K frames with frame 0: what a live stream has seen.
  // kNext always pairs t with t + 1; asking it for an offset above 1 is InvalidArgument, as is
  // an offset outside [0, kMaxPartnerOffset] (model_card.h).
  absl::StatusOr<std::vector<FrameOutput>> SegmentClip(absl::Span<const cv::Mat> frames,
                                                       Pairing pairing, int batch_size = 1,
                                                       int partner_offset = 0);
};

// Path of the shipped default model (models/botm-tiny-192.pt), resolved from the BOTM_MODEL_DIR
// compiled into the build, else next to the executable (../models).
std::string DefaultModelPath();

// Name of the BLAS library that libblas.so.3 resolves to in this process, with OpenBLAS's kernel
// family when it is OpenBLAS, e.g. "openblas-serial/libopenblas-r0.3.21.so (core SkylakeX)"
// (for start-up logs; core/common/blas_kernel.h).
std::string LoadedBlasName();

// The partner offset K a clip or stream runs with. kNext: 1 (t with t + 1). kPrevious, first
// match wins: `requested` frames when > 0; else, when the frame rate is known (> 0), an
// interval in time: `requested_interval_ms` when > 0, else the card's info.partner_interval_ms
// when > 0, as PartnerOffsetForInterval(ms, frame_rate_hz); else the card's
// info.partner_offset (at least 1). Range checks are the caller's (they word the error for
// their own API). Inline: the server's session code uses it without linking the model library
// (tests/fuzz builds it that way).
inline int EffectivePartnerOffset(Segmenter::Pairing pairing, int requested, const ModelInfo& info,
                                  double frame_rate_hz = 0, int requested_interval_ms = 0) {
  if (pairing == Segmenter::Pairing::kNext) return 1;
  if (requested > 0) return requested;
  if (frame_rate_hz > 0 && std::isfinite(frame_rate_hz)) {
    const int ms = requested_interval_ms > 0 ? requested_interval_ms : info.partner_interval_ms;
    if (ms > 0) return PartnerOffsetForInterval(ms, frame_rate_hz);
  }
  return std::max(1, info.partner_offset);
}

}  // namespace botm

#endif  // BOTM_CORE_MODEL_SEGMENTER_H_
