// Sources of training pairs (frame t and a partner frame of the same clip, with labels) and
// the deterministic batch maker.
//
// Partners: with probability ed_es_probability the pair is (ED, ES) in either order; otherwise
// frame t is uniform and the partner is t + d with d uniform in [-max_offset, max_offset]
// (reflected at the clip ends), so both the live (t-1) and clip (t+1) pairings are trained.
// A sample is a pure function of its 64-bit seed, and a batch of (run seed, step), so a run
// can stop and resume with the identical data stream.
// Thread-safety: PairSource::Sample is const and thread-safe.
#ifndef BOTM_CORE_TRAIN_PAIR_SOURCE_H_
#define BOTM_CORE_TRAIN_PAIR_SOURCE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "core/model/internal/preprocess.h"
#include "core/train/augment.h"
#include "core/train/real_data.h"
#include "core/train/rng.h"

namespace botm::train {

struct PairSourceOptions {
  int size_px = 128;  // output side (the model input size)
  // Partner offset range of the pairs that are not (ED, ES): b = a + U{-max_offset..max_offset}
  // frames (reflected at the clip's ends), 0..kMaxPartnerOffset. The server pairs a live stream
  // with the frame 250 ms back (K = 6-15 frames at 25-60 frames/s; core/model/partner.h).
  int max_offset = 3;
  double ed_es_probability = 0.25;  // share of (ED, ES) pairs
  // Synthetic only: sampling weights of the generator's training bins, in the order of
  // synth::Difficulty (normal, easy, low_snr, missing_wall, heavy_clutter, low_frame_rate,
  // randomized); 6 weights leave kRandomized out. The robustness bins are never sampled.
  std::vector<double> difficulty_weights = {0.4, 0.1, 0.125, 0.125, 0.125, 0.125};
  // Synthetic only: frames are rendered at size_px * U(min_render_scale, max_render_scale) (even
  // sizes, at least 64 px) and brought to size_px by the input policy below, so fine speckle
  // and padded sectors keep detail (scale > 1) and low-resolution exports such as 112x112
  // videos, upsampled by the Segmenter, are seen in training too (scale < 1).
  double min_render_scale = 1.0;
  double max_render_scale = 1.0;
  // Synthetic only: synth::ClipOptions::anatomy_revision of the training clips (1 = the sampler
  // every shipped model was trained on; 2 = walls kept plausible, docs/SYNTH.md).
  int anatomy_revision = 1;
  // The trained model's input policy (ModelConfig::crop_sector / input_norm == "rank"), applied
  // after augmentation exactly as botm::Segmenter applies it at inference.
  bool crop_sector = false;
  bool rank_norm = false;
};

// Applies the input policy of `o` to an augmented pair: each frame is cropped (labels with it),
// resized to size_px (labels nearest-neighbour) and optionally rank-normalised.
void PreparePair(const PairSourceOptions& o, FramePair* pair);

// Chooses (a, b) frame indices in a clip of `num_frames` frames; `ed`/`es` may be -1 (then no
// (ED, ES) pairs). `annotated` (may be empty = all) restricts both indices to annotated frames.
std::pair<int, int> ChoosePair(int num_frames, int ed, int es, const std::vector<bool>& annotated,
                               const PairSourceOptions& o, Rng& rng);

class PairSource {
 public:
  virtual ~PairSource() = default;
  // Returns a pair at size_px x size_px: images CV_32FC1 in [0, 1], labels CV_8UC1.
  // Returns a pair before augmentation and input policy: frames of equal size (synthetic:
  // possibly larger than size_px, see max_render_scale), images CV_32FC1 in [0, 1].
  virtual absl::StatusOr<FramePair> Sample(uint64_t sample_seed) const = 0;
  // One line for logs and the model card ("synthetic generator, 6 bins, ...").
  virtual std::string Describe() const = 0;
  virtual const PairSourceOptions& options() const = 0;
};

// Pairs rendered on the fly by the synthetic generator from training seeds (below
// synth::kFirstHeldOutSeed, so held-out evaluation seeds are never seen).
std::unique_ptr<PairSource> MakeSyntheticPairSource(const PairSourceOptions& options);

// Pairs drawn from loaded clips (CAMUS ED/ES, TED sequences); clips are resized to size_px.
absl::StatusOr<std::unique_ptr<PairSource>> MakeClipPairSource(std::vector<LabeledClip> clips,
                                                               const PairSourceOptions& options);

// Fixed validation pairs from held-out synthetic clips of the normal bin (seeds
// synth::HeldOutSeed(kNormal, i)) at size_px: pair i is (t, t + 1) with t spread over the cycle,
// every fourth pair (ED, ES). No augmentation; the input policy of `options` is applied.
absl::StatusOr<std::vector<FramePair>> SyntheticValidationPairs(int count,
                                                                const PairSourceOptions& options);

// Fixed validation pairs from clips (seeds 0..count-1 through a ClipPairSource), no
// augmentation, with the input policy of `options`.
absl::StatusOr<std::vector<FramePair>> ClipValidationPairs(std::vector<LabeledClip> clips,
                                                           int count,
                                                           const PairSourceOptions& options);

// A batch of pairs in NCHW order (C = 1): images as floats in [0, 1], labels as bytes.
struct Batch {
  int64_t step = 0;
  int batch_size = 0, size_px = 0;
  std::vector<float> images_a, images_b;
  std::vector<uint8_t> labels_a, labels_b;
};

// Builds the batch of `step`: sample i uses seed MixSeed(MixSeed(run_seed, step), i), then
// augmentation with an Rng seeded from the same value, then the source's input policy.
absl::StatusOr<Batch> MakeBatch(const PairSource& source, const AugmentOptions& augment,
                                uint64_t run_seed, int64_t step, int batch_size);

}  // namespace botm::train

#endif  // BOTM_CORE_TRAIN_PAIR_SOURCE_H_
