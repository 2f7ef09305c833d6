#include "core/train/pair_source.h"

#include <algorithm>
#include <numeric>

#include <opencv2/imgproc.hpp>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/synth/echo_generator.h"

namespace botm::train {
namespace {

int Reflect(int i, int n) {
  if (n <= 1) return 0;
  while (i < 0 || i >= n) i = i < 0 ? -i : 2 * (n - 1) - i;
  return i;
}

int WeightedPick(const std::vector<double>& w, Rng& rng) {
  const double total = std::accumulate(w.begin(), w.end(), 0.0);
  double u = rng.Uniform() * total;
  for (size_t i = 0; i < w.size(); ++i) {
    if (u < w[i]) return static_cast<int>(i);
    u -= w[i];
  }
  return static_cast<int>(w.size()) - 1;
}

cv::Mat ToUnitFloat(const cv::Mat& gray8) {
  cv::Mat f;
  gray8.convertTo(f, CV_32FC1, 1.0 / 255.0);
  return f;
}

class SyntheticPairSource : public PairSource {
 public:
  explicit SyntheticPairSource(const PairSourceOptions& o) : o_(o) {}

  absl::StatusOr<FramePair> Sample(uint64_t sample_seed) const override {
    Rng rng(sample_seed);
    synth::ClipOptions co;
    co.seed = rng.Next() % synth::kFirstHeldOutSeed;
    co.width = co.height = o_.size_px;
    co.difficulty = static_cast<synth::Difficulty>(WeightedPick(o_.difficulty_weights, rng));
    co.anatomy_revision = o_.anatomy_revision;
    if (o_.max_render_scale > 1.0 || o_.min_render_scale < 1.0) {
      // Drawn from a stream of its own, so scale 1 keeps the historical sample stream.
      Rng scale_rng(MixSeed(sample_seed, 0x5CA1E));
      const double scale = scale_rng.Uniform(o_.min_render_scale, o_.max_render_scale);
      const int side = static_cast<int>(o_.size_px * scale);
      const int floor_px = o_.min_render_scale < 1.0 ? 64 : o_.size_px;
      co.width = co.height = std::max(floor_px, side / 2 * 2);
    }
    auto gen = synth::EchoGenerator::Create(co);
    if (!gen.ok()) return gen.status();
    const synth::ClipInfo& info = (*gen)->info();
    const int ed = info.ed_frames.empty() ? -1 : info.ed_frames[rng.Next() % info.ed_frames.size()];
    const int es = info.es_frames.empty() ? -1 : info.es_frames[rng.Next() % info.es_frames.size()];
    const auto [a, b] = ChoosePair(info.num_frames, ed, es, {}, o_, rng);
    synth::Frame fa = (*gen)->Render(a);
    synth::Frame fb = (*gen)->Render(b);
    return FramePair{ToUnitFloat(fa.image), fa.labels, ToUnitFloat(fb.image), fb.labels};
  }

  std::string Describe() const override {
    return absl::StrCat(
        "synthetic echo generator on the fly (", o_.size_px, "x", o_.size_px,
        " model input, rendered at ",
        o_.min_render_scale < 1.0 ? absl::StrCat(o_.min_render_scale, "x to ") : "up to ",
        o_.max_render_scale,
        "x, bin weights normal/easy/low_snr/missing_wall/heavy_clutter/low_frame_rate/"
        "randomized = ",
        absl::StrJoin(o_.difficulty_weights, "/"),
        o_.anatomy_revision != 1 ? absl::StrCat(", anatomy revision ", o_.anatomy_revision) : "",
        ")");
  }
  const PairSourceOptions& options() const override { return o_; }

 private:
  PairSourceOptions o_;
};

class ClipPairSource : public PairSource {
 public:
  ClipPairSource(std::vector<LabeledClip> clips, const PairSourceOptions& o)
      : clips_(std::move(clips)), o_(o) {}

  absl::StatusOr<FramePair> Sample(uint64_t sample_seed) const override {
    Rng rng(sample_seed);
    const LabeledClip& c = clips_[rng.Next() % clips_.size()];
    std::vector<bool> annotated(c.labels.size());
    for (size_t i = 0; i < c.labels.size(); ++i) annotated[i] = !c.labels[i].empty();
    const auto [a, b] =
        ChoosePair(static_cast<int>(c.images.size()), c.ed, c.es, annotated, o_, rng);
    return FramePair{ToUnitFloat(c.images[a]), c.labels[a].clone(), ToUnitFloat(c.images[b]),
                     c.labels[b].clone()};
  }

  const PairSourceOptions& options() const override { return o_; }
  std::string Describe() const override {
    int frames = 0;
    for (const LabeledClip& c : clips_) frames += static_cast<int>(c.images.size());
    return absl::StrCat("real echo folder: ", clips_.size(), " clips, ", frames, " frames");
  }

 private:
  std::vector<LabeledClip> clips_;
  PairSourceOptions o_;
};

void CopyInto(const FramePair& p, int i, int plane, Batch* b) {
  std::copy_n(p.image_a.ptr<float>(), plane, b->images_a.begin() + static_cast<size_t>(i) * plane);
  std::copy_n(p.image_b.ptr<float>(), plane, b->images_b.begin() + static_cast<size_t>(i) * plane);
  std::copy_n(p.labels_a.ptr<uint8_t>(), plane,
              b->labels_a.begin() + static_cast<size_t>(i) * plane);
  std::copy_n(p.labels_b.ptr<uint8_t>(), plane,
              b->labels_b.begin() + static_cast<size_t>(i) * plane);
}

}  // namespace

std::pair<int, int> ChoosePair(int num_frames, int ed, int es, const std::vector<bool>& annotated,
                               const PairSourceOptions& o, Rng& rng) {
  if (ed >= 0 && es >= 0 && ed < num_frames && es < num_frames &&
      rng.Bernoulli(o.ed_es_probability)) {
    return rng.Bernoulli(0.5) ? std::make_pair(ed, es) : std::make_pair(es, ed);
  }
  std::vector<int> candidates;
  for (int i = 0; i < num_frames; ++i) {
    if (annotated.empty() || annotated[i]) candidates.push_back(i);
  }
  if (candidates.empty()) return {0, 0};
  const int a = candidates[rng.Next() % candidates.size()];
  int b = Reflect(a + rng.UniformInt(-o.max_offset, o.max_offset), num_frames);
  if (!annotated.empty() && !annotated[b]) b = a;
  return {a, b};
}

std::unique_ptr<PairSource> MakeSyntheticPairSource(const PairSourceOptions& options) {
  return std::make_unique<SyntheticPairSource>(options);
}

absl::StatusOr<std::unique_ptr<PairSource>> MakeClipPairSource(std::vector<LabeledClip> clips,
                                                               const PairSourceOptions& options) {
  if (clips.empty()) return absl::InvalidArgumentError("no clips to train on");
  // With a sector crop the frames keep twice the model's resolution until the crop is taken.
  const int side = options.crop_sector ? 2 * options.size_px : options.size_px;
  const cv::Size size(side, side);
  for (LabeledClip& c : clips) {
    for (cv::Mat& m : c.images) {
      if (m.size() != size) cv::resize(m, m, size, 0, 0, cv::INTER_AREA);
    }
    for (cv::Mat& m : c.labels) {
      if (!m.empty() && m.size() != size) cv::resize(m, m, size, 0, 0, cv::INTER_NEAREST);
    }
  }
  return std::unique_ptr<PairSource>(std::make_unique<ClipPairSource>(std::move(clips), options));
}

void PreparePair(const PairSourceOptions& o, FramePair* pair) {
  internal::InputPolicy policy;
  policy.size = o.size_px;
  policy.crop_sector = o.crop_sector;
  policy.rank_norm = o.rank_norm;
  const cv::Size size(o.size_px, o.size_px);
  for (auto [image, labels] : {std::make_pair(&pair->image_a, &pair->labels_a),
                               std::make_pair(&pair->image_b, &pair->labels_b)}) {
    internal::PreparedInput prepared = internal::PrepareGray01(*image, policy);
    *image = prepared.input;
    cv::Mat cropped = (*labels)(prepared.crop);
    if (cropped.size() != size) {
      cv::resize(cropped, *labels, size, 0, 0, cv::INTER_NEAREST);
    } else {
      *labels = cropped.clone();
    }
  }
}

absl::StatusOr<std::vector<FramePair>> SyntheticValidationPairs(int count,
                                                                const PairSourceOptions& options) {
  std::vector<FramePair> out;
  for (int i = 0; i < count; ++i) {
    synth::ClipOptions co;
    co.seed = synth::HeldOutSeed(synth::Difficulty::kNormal, i);
    co.width = co.height = options.size_px;
    co.anatomy_revision = options.anatomy_revision;
    auto gen = synth::EchoGenerator::Create(co);
    if (!gen.ok()) return gen.status();
    const synth::ClipInfo& info = (*gen)->info();
    int a = (i * 7) % std::max(1, info.num_frames - 1);
    int b = std::min(a + 1, info.num_frames - 1);
    if (i % 4 == 3 && !info.ed_frames.empty() && !info.es_frames.empty()) {
      a = info.ed_frames[0];
      b = info.es_frames[0];
    }
    synth::Frame fa = (*gen)->Render(a);
    synth::Frame fb = (*gen)->Render(b);
    out.push_back(FramePair{ToUnitFloat(fa.image), fa.labels, ToUnitFloat(fb.image), fb.labels});
    PreparePair(options, &out.back());
  }
  return out;
}

absl::StatusOr<std::vector<FramePair>> ClipValidationPairs(std::vector<LabeledClip> clips,
                                                           int count,
                                                           const PairSourceOptions& options) {
  auto source = MakeClipPairSource(std::move(clips), options);
  if (!source.ok()) return source.status();
  std::vector<FramePair> out;
  for (int i = 0; i < count; ++i) {
    auto p = (*source)->Sample(MixSeed(0x5EED, static_cast<uint64_t>(i)));
    if (!p.ok()) return p.status();
    PreparePair(options, &*p);
    out.push_back(std::move(*p));
  }
  return out;
}

absl::StatusOr<Batch> MakeBatch(const PairSource& source, const AugmentOptions& augment,
                                uint64_t run_seed, int64_t step, int batch_size) {
  Batch b;
  b.step = step;
  b.batch_size = batch_size;
  const uint64_t step_seed = MixSeed(run_seed, static_cast<uint64_t>(step));
  for (int i = 0; i < batch_size; ++i) {
    const uint64_t s = MixSeed(step_seed, static_cast<uint64_t>(i));
    absl::StatusOr<FramePair> p = source.Sample(s);
    if (!p.ok()) return p.status();
    Rng rng(MixSeed(s, 0xA06));
    AugmentPair(augment, rng, &*p);
    DegradeResolution(augment, source.options().size_px, source.options().crop_sector, rng, &*p);
    PreparePair(source.options(), &*p);
    if (i == 0) {
      b.size_px = p->image_a.cols;
      const size_t n = static_cast<size_t>(batch_size) * b.size_px * b.size_px;
      b.images_a.resize(n), b.images_b.resize(n), b.labels_a.resize(n), b.labels_b.resize(n);
    }
    CopyInto(*p, i, b.size_px * b.size_px, &b);
  }
  return b;
}

}  // namespace botm::train
