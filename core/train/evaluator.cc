#include "core/train/evaluator.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "absl/strings/str_cat.h"
#include "core/common/progress_bar.h"
#include "core/model/model_card.h"
#include "core/synth/lossy_export.h"
#include "core/train/eval_plots.h"
#include "core/train/eval_stats.h"
#include "core/train/real_data.h"

namespace botm::train {
namespace {

// A group of clips evaluated together: a synthetic difficulty bin or a data folder.
struct ClipGroup {
  std::string name;
  std::vector<EvalClip> clips;
};

// First index of `frames` below n, or -1.
int FirstBelow(const std::vector<int>& frames, int n) {
  for (int f : frames) {
    if (f < n) return f;
  }
  return -1;
}

}  // namespace

cv::Mat DownsampleLabels(const cv::Mat& labels, cv::Size size) {
  cv::Mat best(size, CV_32FC1, cv::Scalar(-1)), out(size, CV_8UC1, cv::Scalar(0));
  double max_label = 0;
  cv::minMaxLoc(labels, nullptr, &max_label);
  for (int c = 0; c <= static_cast<int>(max_label); ++c) {
    cv::Mat indicator, share;
    cv::Mat(labels == c).convertTo(indicator, CV_32FC1, 1.0 / 255.0);
    cv::resize(indicator, share, size, 0, 0, cv::INTER_AREA);
    cv::Mat better = share > best;
    share.copyTo(best, better);
    out.setTo(c, better);
  }
  return out;
}

namespace {

// Exports a rendered clip at side x side (see EvalOptions::export_size_px).
void ExportClip(int side, EvalClip* c) {
  if (c->images.empty() || c->images[0].cols == side) return;
  const cv::Size size(side, side);
  c->spacing_mm_x *= static_cast<double>(c->images[0].cols) / side;
  c->spacing_mm_y *= static_cast<double>(c->images[0].rows) / side;
  for (cv::Mat& m : c->images) cv::resize(m, m, size, 0, 0, cv::INTER_AREA);
  for (cv::Mat& m : c->labels) m = DownsampleLabels(m, size);
}

// Renders one held-out bin (seeds synth::HeldOutSeed(bin, 0..clips_per_bin-1)).
absl::StatusOr<ClipGroup> SyntheticGroup(const EvalOptions& o, synth::Difficulty bin,
                                         int input_size) {
  ClipGroup g{synth::DifficultyName(bin), {}};
  const int size = synth::IsRandomizedFamily(bin)
                       ? (o.robust_size_px > 0 ? o.robust_size_px : 2 * input_size)
                       : (o.size_px > 0 ? o.size_px : input_size);
  for (int i = 0; i < o.clips_per_bin; ++i) {
    synth::ClipOptions co;
    co.seed = synth::HeldOutSeed(bin, i);
    co.width = co.height = size;
    co.difficulty = bin;
    co.anatomy_revision = o.anatomy_revision;
    co.annotations = o.annotations;
    co.annotations_touching = o.annotations_touching;
    co.colour = o.colour;
    // An export is compressed at its own size, after the resize below.
    co.jpeg_quality = o.export_size_px > 0 ? 0 : o.jpeg_quality;
    auto gen = synth::EchoGenerator::Create(co);
    if (!gen.ok()) return gen.status();
    const synth::ClipInfo& info = (*gen)->info();
    EvalClip c;
    c.id = absl::StrCat(g.name, "_", i);
    c.spacing_mm_x = info.spacing_mm_x;
    c.spacing_mm_y = info.spacing_mm_y;
    c.true_ef_pct = info.ejection_fraction_pct;
    c.fps = info.fps;
    const int n = o.max_frames > 0 ? std::min(o.max_frames, info.num_frames) : info.num_frames;
    c.ed = FirstBelow(info.ed_frames, n);
    c.es = FirstBelow(info.es_frames, n);
    for (int t = 0; t < n; ++t) {
      synth::Frame f = (*gen)->Render(t);
      if (o.colour_as_luminance && f.image.channels() == 3) {
        cv::cvtColor(f.image, f.image, cv::COLOR_BGR2GRAY);
      }
      c.images.push_back(f.image);
      c.labels.push_back(f.labels);
    }
    if (o.export_size_px > 0) {
      ExportClip(o.export_size_px, &c);
      if (o.jpeg_quality > 0) {
        for (cv::Mat& m : c.images) m = synth::JpegRoundTrip(m, o.jpeg_quality);
      }
    }
    g.clips.push_back(std::move(c));
  }
  return g;
}

absl::StatusOr<std::vector<ClipGroup>> FolderGroups(const EvalOptions& o) {
  RealDataOptions ro;
  ro.max_clips = o.max_clips;
  auto clips = LoadEchoFolder(o.data, ro);
  if (!clips.ok()) return clips.status();
  ClipGroup camus{"camus_ed_es", {}}, ted{"ted_sequences", {}};
  for (LabeledClip& l : *clips) {
    EvalClip c;
    c.id = l.id;
    c.images = std::move(l.images);
    c.labels = std::move(l.labels);
    c.spacing_mm_x = l.spacing_mm_x;
    c.spacing_mm_y = l.spacing_mm_y;
    c.true_ef_pct = l.ef_pct;
    c.ed = l.ed;
    c.es = l.es;
    (l.dense ? ted : camus).clips.push_back(std::move(c));
  }
  std::vector<ClipGroup> groups;
  for (ClipGroup* g : {&camus, &ted}) {
    if (!g->clips.empty()) groups.push_back(std::move(*g));
  }
  return groups;
}

absl::Status Predict(Segmenter& seg, int batch_size, EvalPairing pairing, int partner_offset,
                     EvalClip* clip) {
  const auto start = std::chrono::steady_clock::now();
  // Segment() without partners decodes every frame with itself.
  auto out =
      pairing == EvalPairing::kSelf
          ? seg.Segment(clip->images, {})
          : seg.SegmentClip(clip->images,
                            pairing == EvalPairing::kNext ? Segmenter::Pairing::kNext
                                                          : Segmenter::Pairing::kPrevious,
                            batch_size, pairing == EvalPairing::kPrevious ? partner_offset : 0);
  if (!out.ok()) return out.status();
  clip->predicted.clear();
  for (FrameOutput& f : *out) clip->predicted.push_back(std::move(f.labels));
  clip->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return absl::OkStatus();
}

std::string PairingText(EvalPairing p, int partner_offset, int partner_interval_ms) {
  if (p == EvalPairing::kPrevious && partner_interval_ms > 0) {
    return absl::StrCat("live mode: frame t with the frame ", partner_interval_ms,
                        " ms earlier (t-K, K = round(", partner_interval_ms,
                        " ms x fps / 1000) per clip, t-", partner_offset,
                        " when the rate is unknown; the first K frames with frame 0)");
  }
  if (p == EvalPairing::kPrevious && partner_offset > 1) {
    return absl::StrCat("live mode: frame t with t-", partner_offset, " (the first ",
                        partner_offset, " frames with frame 0)");
  }
  switch (p) {
    case EvalPairing::kNext:
      return "clip mode: frame t with t+1 (last with t-1)";
    case EvalPairing::kPrevious:
      return "live mode: frame t with t-1 (first with itself)";
    case EvalPairing::kSelf:
      return "self mode: every frame with itself (no temporal information)";
  }
  return "?";
}

absl::Status WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  return out ? absl::OkStatus() : absl::InternalError(absl::StrCat("cannot write ", path));
}

nlohmann::json ModelJson(const ModelInfo& m) {
  return {{"name", m.name},
          {"version", m.version},
          {"variant", m.variant},
          {"input_size", m.input_size},
          {"cross_frame", m.cross_frame},
          {"weights_sha256", m.weights_sha256},
          {"device", m.device},
          {"blas", m.blas},
          {"intra_op_threads", m.intra_op_threads},
          {"num_parameters", m.num_parameters}};
}

absl::Status CheckOptions(const EvalOptions& o) {
  const auto bad = [](const std::string& what) { return absl::InvalidArgumentError(what); };
  if (o.data == "synthetic") {
    if (o.bins.empty()) return bad("no difficulty bins to evaluate");
    if (o.clips_per_bin < 1)
      return bad(absl::StrCat("clips_per_bin must be >= 1, got ", o.clips_per_bin));
    for (int size : {o.size_px, o.robust_size_px, o.export_size_px}) {
      if (size != 0 && (size < 32 || size > 1024)) {
        return bad(absl::StrCat("size must be 0 (automatic) or in [32, 1024] pixels, got ", size));
      }
    }
  }
  if (o.anatomy_revision < 1 || o.anatomy_revision > synth::kLatestAnatomyRevision) {
    return bad(absl::StrCat("anatomy_revision must be in [1, ", synth::kLatestAnatomyRevision,
                            "], got ", o.anatomy_revision));
  }
  if (o.data != "synthetic" && o.anatomy_revision != 1) {
    return bad("anatomy_revision applies to synthetic data only");
  }
  if (o.data != "synthetic" && o.annotations) {
    return bad("annotations applies to synthetic data only (a folder's frames are used as stored)");
  }
  if (o.data != "synthetic" && o.colour) {
    return bad("colour applies to synthetic data only (a folder's frames are used as stored)");
  }
  if (o.annotations_touching && !o.annotations) {
    return bad("annotations_touching needs annotations (it moves their marks)");
  }
  if (o.colour_as_luminance && !o.colour) {
    return bad("colour_as_luminance needs colour (it converts the colour exports)");
  }
  if (o.jpeg_quality != 0 &&
      (o.jpeg_quality < synth::kMinJpegQuality || o.jpeg_quality > synth::kMaxJpegQuality)) {
    return bad(absl::StrCat("jpeg_quality must be 0 (lossless) or in [", synth::kMinJpegQuality,
                            ", ", synth::kMaxJpegQuality, "], got ", o.jpeg_quality));
  }
  if (o.data != "synthetic" && o.jpeg_quality != 0) {
    return bad(
        "jpeg_quality applies to synthetic data only (a folder's frames are used as stored)");
  }
  if (o.data != "synthetic" && o.export_size_px != 0) {
    return bad("export_size applies to synthetic data only (a folder's frames are used as stored)");
  }
  if (o.max_frames < 0) return bad(absl::StrCat("max_frames must be >= 0, got ", o.max_frames));
  if (o.max_clips < 0) return bad(absl::StrCat("max_clips must be >= 0, got ", o.max_clips));
  if (o.batch_size < 1) return bad(absl::StrCat("batch_size must be >= 1, got ", o.batch_size));
  if (o.threads < 0) return bad(absl::StrCat("threads must be >= 0, got ", o.threads));
  if (o.example_plots < 0) {
    return bad(absl::StrCat("example_plots must be >= 0, got ", o.example_plots));
  }
  if (o.partner_offset < 0 || o.partner_offset > kMaxPartnerOffset) {
    return bad(absl::StrCat("partner_offset must be in [0, ", kMaxPartnerOffset, "], got ",
                            o.partner_offset));
  }
  if (o.partner_offset > 1 && o.pairing != EvalPairing::kPrevious) {
    return bad("partner_offset applies to previous (live) pairing only");
  }
  if (o.partner_interval_ms < 0 || o.partner_interval_ms > kMaxPartnerIntervalMs) {
    return bad(absl::StrCat("partner_interval_ms must be in [0, ", kMaxPartnerIntervalMs, "], got ",
                            o.partner_interval_ms));
  }
  if (o.partner_interval_ms > 0 && o.pairing != EvalPairing::kPrevious) {
    return bad("partner_interval_ms applies to previous (live) pairing only");
  }
  if (o.partner_interval_ms > 0 && o.partner_offset > 0) {
    return bad("give partner_offset (frames) or partner_interval_ms (time), not both");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<EvalPairing> ParseEvalPairing(const std::string& name) {
  if (name == "next") return EvalPairing::kNext;
  if (name == "previous") return EvalPairing::kPrevious;
  if (name == "self") return EvalPairing::kSelf;
  return absl::InvalidArgumentError(
      absl::StrCat("pairing must be next, previous or self, got '", name, "'"));
}

absl::StatusOr<nlohmann::json> Evaluate(const EvalOptions& o) {
  if (absl::Status s = CheckOptions(o); !s.ok()) return s;
  SegmenterOptions so;
  so.model_path = o.model_path;
  so.device = o.device;
  so.intra_op_threads = o.threads;
  auto seg = Segmenter::Create(so);
  if (!seg.ok()) return seg.status();
  // Synthetic bins are rendered one at a time and each clip's frames are released once it is
  // scored, so memory holds one bin, not the whole suite.
  const bool synthetic = o.data == "synthetic";
  std::vector<ClipGroup> folder_groups;
  if (!synthetic) {
    auto loaded = FolderGroups(o);
    if (!loaded.ok()) return loaded.status();
    folder_groups = std::move(*loaded);
  }
  const size_t num_groups = synthetic ? o.bins.size() : folder_groups.size();
  if (!o.out_dir.empty()) std::filesystem::create_directories(o.out_dir);
  int64_t total = synthetic ? static_cast<int64_t>(o.bins.size()) * o.clips_per_bin : 0;
  for (const ClipGroup& g : folder_groups) total += static_cast<int64_t>(g.clips.size());
  ProgressBar::Options bo;
  bo.unit = "clip";
  bo.enabled = o.progress;
  ProgressBar bar("eval", total, bo);
  nlohmann::json report;
  report["model"] = ModelJson((*seg)->info());
  report["data"] =
      synthetic
          ? absl::StrCat(
                "synthetic held-out seeds, ", o.clips_per_bin, " clips per bin, ",
                o.size_px > 0 ? absl::StrCat(o.size_px) : "model-input", " px (",
                o.robust_size_px > 0 ? absl::StrCat(o.robust_size_px) : "2x model-input",
                " px randomised family), ",
                o.export_size_px > 0 ? absl::StrCat("exported at ", o.export_size_px, " px, ") : "",
                o.anatomy_revision != 1
                    ? absl::StrCat("anatomy revision ", o.anatomy_revision, ", ")
                    : "",
                o.annotations
                    ? (o.annotations_touching ? "burned-in annotations touching the sector, "
                                              : "burned-in annotations, ")
                    : "",
                o.colour ? (o.colour_as_luminance ? "colour export (as plain luminance), "
                                                  : "colour export, ")
                         : "",
                o.jpeg_quality > 0 ? absl::StrCat("JPEG quality ", o.jpeg_quality, ", ") : "",
                "max_frames ", o.max_frames)
          : o.data;
  // The live partner: frames (the option, else the card's), or an interval in time (the
  // option, else the card's) turned into frames per clip; next and self ignore both.
  const ModelInfo& info = (*seg)->info();
  const int partner_offset =
      EffectivePartnerOffset(Segmenter::Pairing::kPrevious, o.partner_offset, info);
  const int partner_interval_ms =
      o.pairing != EvalPairing::kPrevious || o.partner_offset > 0
          ? 0
          : (o.partner_interval_ms > 0 ? o.partner_interval_ms : info.partner_interval_ms);
  report["pairing"] = PairingText(o.pairing, partner_offset, partner_interval_ms);
  if (o.pairing == EvalPairing::kPrevious) {
    report["partner_offset"] = partner_offset;
    if (partner_interval_ms > 0) report["partner_interval_ms"] = partner_interval_ms;
  }
  const auto clip_offset = [&](const EvalClip& clip) {
    return EffectivePartnerOffset(Segmenter::Pairing::kPrevious, o.partner_offset, info, clip.fps,
                                  partner_interval_ms);
  };
  BinStats all;
  EvalClip first;  // the first clip, kept for the matching plot
  bool have_first = false;
  int64_t done = 0;
  for (size_t gi = 0; gi < num_groups; ++gi) {
    absl::StatusOr<ClipGroup> group = synthetic
                                          ? SyntheticGroup(o, o.bins[gi], (*seg)->info().input_size)
                                          : absl::StatusOr<ClipGroup>(std::move(folder_groups[gi]));
    if (!group.ok()) return group.status();
    ClipGroup& g = *group;
    BinStats stats;
    int min_offset = kMaxPartnerOffset, max_offset = 0;
    for (size_t i = 0; i < g.clips.size(); ++i) {
      EvalClip& clip = g.clips[i];
      const int k = clip_offset(clip);
      min_offset = std::min(min_offset, k);
      max_offset = std::max(max_offset, k);
      if (absl::Status s = Predict(**seg, o.batch_size, o.pairing, k, &clip); !s.ok()) return s;
      stats.Add(clip);
      if (!o.out_dir.empty() && static_cast<int>(i) < o.example_plots) {
        if (absl::Status s = WriteClipPlots(clip, o.out_dir); !s.ok()) return s;
      }
      if (!have_first) {
        first = std::move(clip);
        have_first = true;
      } else {
        clip = EvalClip();
      }
      bar.Update(++done, g.name);
    }
    report["bins"][g.name] = stats.ToJson();
    if (partner_interval_ms > 0 && !g.clips.empty()) {
      report["bins"][g.name]["partner_offset_range"] = {min_offset, max_offset};
    }
    all.Merge(stats);
  }
  report["all"] = all.ToJson();
  bar.Finish();
  if (o.out_dir.empty()) return report;
  if (o.matching_plot && (*seg)->info().cross_frame && have_first) {
    if (absl::Status s = WriteMatchingPlot(so, first, o.out_dir); !s.ok()) return s;
  }
  if (absl::Status s = WriteText(o.out_dir + "/report.json", report.dump(2)); !s.ok()) return s;
  return WriteText(o.out_dir + "/report.md", MarkdownReport(report)).ok()
             ? absl::StatusOr<nlohmann::json>(report)
             : absl::InternalError("cannot write report.md");
}

}  // namespace botm::train
