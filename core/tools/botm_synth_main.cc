// botm-synth: writes one synthetic echo clip as PNG frames, label masks and meta.json.
//
//   botm-synth --seed 7 --frames 40 --size 128x128 --difficulty normal --view auto --out DIR
//              [--gif overlay.gif]
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/common/flags.h"
#include "core/image/gif_writer.h"
#include "core/image/overlay.h"
#include "core/synth/echo_generator.h"

ABSL_FLAG(uint64_t, seed, 1, "Clip seed (the same seed always gives the same clip)");
ABSL_FLAG(int, frames, 0, "Number of frames; 0 = 1-3 whole cardiac cycles drawn from the seed");
ABSL_FLAG(std::string, size, "128x128", "Output size WxH in pixels (32..2048 each)");
ABSL_FLAG(std::string, difficulty, "normal",
          "normal | easy | low_snr | missing_wall | heavy_clutter | low_frame_rate");
ABSL_FLAG(std::string, view, "auto", "2ch | 4ch | auto");
ABSL_FLAG(double, ef, -1, "Ejection fraction in % (20..75); <= 0 draws it from the seed");
ABSL_FLAG(int, anatomy_revision, 1, "Heart sampler revision: 1 or 2 (docs/SYNTH.md)");
ABSL_FLAG(bool, annotations, false,
          "Burn scanner annotations (text, grey bar, depth ticks, marker, ECG) in outside the "
          "sector; labels unchanged");
ABSL_FLAG(bool, annotations_touching, false,
          "With --annotations: the marks beside the sector (depth ticks, ECG) abut its "
          "edge instead of keeping a gap of 2-5 % of the width");
ABSL_FLAG(bool, colour, false,
          "Export BGR frames as a scanner's colour DICOM does: grey or tinted B-mode, a coloured "
          "ECG across the sector's far field, coloured calipers inside it; labels unchanged");
ABSL_FLAG(int, jpeg_quality, 0,
          "Store and read back every frame as baseline JPEG at this quality (1..100; 0 = "
          "lossless), as a scanner's lossy DICOM does; labels unchanged");
ABSL_FLAG(std::string, out, "", "Output directory (created if missing)");
ABSL_FLAG(std::string, gif, "", "Optional animated GIF of the frames with the label overlay");
ABSL_FLAG(std::string, edes_png, "",
          "Optional PNG of the first ED and ES frames, each plain and with the label overlay");

namespace {

namespace fs = std::filesystem;
using botm::synth::ClipInfo;
using botm::synth::ClipOptions;

absl::Status ParseSize(const std::string& text, int* width, int* height) {
  std::vector<std::string> parts = absl::StrSplit(text, 'x');
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], width) ||
      !absl::SimpleAtoi(parts[1], height)) {
    return absl::InvalidArgumentError(absl::StrCat("--size '", text, "' is not WxH, e.g. 128x128"));
  }
  return absl::OkStatus();
}

absl::StatusOr<botm::synth::View> ParseView(const std::string& text) {
  if (text == "2ch") return botm::synth::View::kTwoChamber;
  if (text == "4ch") return botm::synth::View::kFourChamber;
  if (text == "auto") return botm::synth::View::kAuto;
  return absl::InvalidArgumentError(absl::StrCat("--view '", text, "' is not 2ch, 4ch or auto"));
}

absl::StatusOr<ClipOptions> OptionsFromFlags() {
  ClipOptions o;
  o.seed = absl::GetFlag(FLAGS_seed);
  o.num_frames = absl::GetFlag(FLAGS_frames);
  o.ejection_fraction_pct = absl::GetFlag(FLAGS_ef);
  o.anatomy_revision = absl::GetFlag(FLAGS_anatomy_revision);
  o.annotations = absl::GetFlag(FLAGS_annotations);
  o.annotations_touching = absl::GetFlag(FLAGS_annotations_touching);
  o.colour = absl::GetFlag(FLAGS_colour);
  o.jpeg_quality = absl::GetFlag(FLAGS_jpeg_quality);
  if (absl::Status s = ParseSize(absl::GetFlag(FLAGS_size), &o.width, &o.height); !s.ok()) {
    return s;
  }
  absl::StatusOr<botm::synth::Difficulty> d =
      botm::synth::ParseDifficulty(absl::GetFlag(FLAGS_difficulty));
  if (!d.ok()) return d.status();
  o.difficulty = *d;
  absl::StatusOr<botm::synth::View> v = ParseView(absl::GetFlag(FLAGS_view));
  if (!v.ok()) return v.status();
  o.view = *v;
  return o;
}

nlohmann::json MetaJson(const ClipInfo& info) {
  nlohmann::json j;
  j["seed"] = info.seed;
  j["difficulty"] = botm::synth::DifficultyName(info.difficulty);
  j["anatomy_revision"] = info.anatomy_revision;
  j["annotations"] = info.annotations;
  j["annotations_touching"] = info.annotations_touching;
  j["colour"] = info.colour;
  j["jpeg_quality"] = info.jpeg_quality;
  j["view"] = info.view == botm::synth::View::kTwoChamber ? "2ch" : "4ch";
  j["width"] = info.width;
  j["height"] = info.height;
  j["num_frames"] = info.num_frames;
  j["fps"] = info.fps;
  j["heart_rate_bpm"] = info.heart_rate_bpm;
  j["ejection_fraction_pct"] = info.ejection_fraction_pct;
  j["sector_angle_deg"] = info.sector_angle_deg;
  j["depth_cm"] = info.depth_cm;
  j["spacing_mm"] = {info.spacing_mm_x, info.spacing_mm_y};
  j["ed_frames"] = info.ed_frames;
  j["es_frames"] = info.es_frames;
  j["lv_volume_ml"] = info.lv_volume_ml;
  j["labels"] = {
      {"0", "background"}, {"1", "lv_cavity"}, {"2", "lv_myocardium"}, {"3", "left_atrium"}};
  return j;
}

// Writes every frame of `gen` with its overlay, side by side, to an animated GIF at the clip's
// frame rate.
absl::Status WriteGif(const botm::synth::EchoGenerator& gen, const std::string& path) {
  const ClipInfo& info = gen.info();
  botm::image::GifWriter::Options options;
  options.delay_centiseconds = std::max(1, static_cast<int>(100.0 / info.fps + 0.5));
  std::unique_ptr<botm::image::GifWriter> writer;
  for (int t = 0; t < info.num_frames; ++t) {
    const botm::synth::Frame f = gen.Render(t);
    const cv::Mat both =
        botm::image::SideBySide(f.image, botm::image::RenderOverlay(f.image, f.labels, 0.4f));
    if (!writer) {
      auto created = botm::image::GifWriter::Create(path, both.size(), options);
      if (!created.ok()) return created.status();
      writer = std::move(*created);
    }
    if (absl::Status s = writer->AddFrame(both); !s.ok()) return s;
  }
  return writer ? writer->Close() : absl::OkStatus();
}

// Writes [ED | ED overlay | ES | ES overlay] of the clip's first cycle to `path`.
absl::Status WriteEdEsPng(const botm::synth::EchoGenerator& gen, const std::string& path) {
  const ClipInfo& info = gen.info();
  if (info.ed_frames.empty() || info.es_frames.empty()) {
    return absl::FailedPreconditionError("--edes_png needs a clip with an ED and an ES frame");
  }
  cv::Mat row;
  for (int t : {info.ed_frames.front(), info.es_frames.front()}) {
    const botm::synth::Frame f = gen.Render(t);
    const cv::Mat pair =
        botm::image::SideBySide(f.image, botm::image::RenderOverlay(f.image, f.labels, 0.4f));
    row = row.empty() ? pair : botm::image::SideBySide(row, pair);
  }
  if (!cv::imwrite(path, row)) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

absl::Status Run() {
  absl::StatusOr<ClipOptions> options = OptionsFromFlags();
  if (!options.ok()) return options.status();
  const std::string out = absl::GetFlag(FLAGS_out);
  if (out.empty()) return absl::InvalidArgumentError("--out DIR is required");
  auto gen = botm::synth::EchoGenerator::Create(*options);
  if (!gen.ok()) return gen.status();
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", out, ": ", ec.message()));
  const ClipInfo& info = (*gen)->info();
  for (int t = 0; t < info.num_frames; ++t) {
    const botm::synth::Frame f = (*gen)->Render(t);
    char name[64];
    std::snprintf(name, sizeof(name), "frame_%04d.png", t);
    if (!cv::imwrite((fs::path(out) / name).string(), f.image)) {
      return absl::InternalError(absl::StrCat("cannot write ", name, " in ", out));
    }
    std::snprintf(name, sizeof(name), "mask_%04d.png", t);
    if (!cv::imwrite((fs::path(out) / name).string(), f.labels)) {
      return absl::InternalError(absl::StrCat("cannot write ", name, " in ", out));
    }
  }
  std::ofstream meta(fs::path(out) / "meta.json");
  meta << MetaJson(info).dump(2) << "\n";
  if (!meta) return absl::InternalError(absl::StrCat("cannot write meta.json in ", out));
  if (const std::string gif = absl::GetFlag(FLAGS_gif); !gif.empty()) {
    if (absl::Status s = WriteGif(**gen, gif); !s.ok()) return s;
  }
  if (const std::string png = absl::GetFlag(FLAGS_edes_png); !png.empty()) {
    if (absl::Status s = WriteEdEsPng(**gen, png); !s.ok()) return s;
  }
  std::printf("wrote %d frames (%s, %s, EF %.1f %%, %.0f bpm, %.1f fps) to %s\n", info.num_frames,
              botm::synth::DifficultyName(info.difficulty).c_str(),
              info.view == botm::synth::View::kTwoChamber ? "2ch" : "4ch",
              info.ejection_fraction_pct, info.heart_rate_bpm, info.fps, out.c_str());
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> rest = botm::ParseFlags(
      argc, argv, __FILE__,
      "Writes a synthetic echo clip: botm-synth --seed S --frames N --size WxH "
      "[--difficulty BIN] [--view 2ch|4ch|auto] [--ef PCT] --out DIR [--gif FILE]");
  if (rest.size() > 1) {
    std::fprintf(stderr, "botm-synth: unexpected argument '%s'\n", rest[1]);
    return 2;
  }
  const absl::Status status = Run();
  if (!status.ok()) {
    std::fprintf(stderr, "botm-synth: %s\n", std::string(status.message()).c_str());
    return status.code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
  }
  return 0;
}
