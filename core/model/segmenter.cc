// Torch-free parts of the Segmenter contract: Create (dispatch), Segment, SegmentClip, and the
// process helpers DefaultModelPath / LoadedBlasName.
#include "core/model/segmenter.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/common/blas_kernel.h"
#include "core/model/internal/torch_segmenter.h"
#include "core/model/model_card.h"

#ifndef BOTM_MODEL_DIR
#define BOTM_MODEL_DIR ""
#endif

namespace botm {
namespace {

constexpr char kDefaultModelFile[] = "botm-tiny-192.pt";

bool FileExists(const std::string& path) { return std::ifstream(path).good(); }

std::string ExecutableDir() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return ".";
  std::string exe(buf, static_cast<size_t>(n));
  const size_t slash = exe.find_last_of('/');
  return slash == std::string::npos ? "." : exe.substr(0, slash);
}

}  // namespace

absl::StatusOr<std::unique_ptr<Segmenter>> Segmenter::Create(const SegmenterOptions& options) {
  const std::string path = options.model_path.empty() ? DefaultModelPath() : options.model_path;
  if (!FileExists(path)) {
    return absl::NotFoundError(absl::StrCat("model file ", path, " does not exist"));
  }
  try {
    return internal::TorchSegmenter::Load(options);
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("Segmenter::Create: ", e.what()));
  }
}

absl::StatusOr<std::vector<FrameOutput>> Segmenter::Segment(
    absl::Span<const cv::Mat> images, absl::Span<const EncodedFramePtr> partners,
    std::vector<EncodedFramePtr>* encoded) {
  if (!partners.empty() && partners.size() != images.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("got ", partners.size(), " partners for ", images.size(), " images"));
  }
  absl::StatusOr<std::vector<EncodedFramePtr>> frames = Encode(images);
  if (!frames.ok()) return frames.status();
  std::vector<DecodeRequest> requests(frames->size());
  for (size_t i = 0; i < frames->size(); ++i) {
    requests[i].self = (*frames)[i];
    requests[i].partner = partners.empty() ? nullptr : partners[i];
  }
  if (encoded != nullptr) *encoded = *frames;
  return Decode(requests);
}

absl::StatusOr<std::vector<FrameOutput>> Segmenter::SegmentClip(absl::Span<const cv::Mat> frames,
                                                                Pairing pairing, int batch_size,
                                                                int partner_offset) {
  if (batch_size < 1) return absl::InvalidArgumentError("batch_size must be >= 1");
  if (partner_offset < 0 || partner_offset > kMaxPartnerOffset) {
    return absl::InvalidArgumentError(absl::StrCat("partner_offset must be in [0, ",
                                                   kMaxPartnerOffset, "], got ", partner_offset));
  }
  if (pairing == Pairing::kNext && partner_offset > 1) {
    return absl::InvalidArgumentError(
        "partner_offset applies to previous (live) pairing; next pairs t with t + 1");
  }
  const size_t offset =
      static_cast<size_t>(EffectivePartnerOffset(pairing, partner_offset, info()));
  const size_t n = frames.size(), batch = static_cast<size_t>(batch_size);
  std::vector<EncodedFramePtr> encoded;
  for (size_t start = 0; start < n; start += batch) {
    absl::StatusOr<std::vector<EncodedFramePtr>> part =
        Encode(frames.subspan(start, std::min(batch, n - start)));
    if (!part.ok()) {
      return absl::Status(part.status().code(),
                          absl::StrCat("frames from ", start, ": ", part.status().message()));
    }
    encoded.insert(encoded.end(), part->begin(), part->end());
  }
  std::vector<FrameOutput> outputs;
  for (size_t start = 0; start < n; start += batch) {
    std::vector<DecodeRequest> requests;
    for (size_t t = start; t < std::min(n, start + batch); ++t) {
      size_t partner = t;
      if (pairing == Pairing::kPrevious) partner = t >= offset ? t - offset : 0;
      if (pairing == Pairing::kNext) partner = t + 1 < n ? t + 1 : (t == 0 ? 0 : t - 1);
      requests.push_back({encoded[t], encoded[partner]});
    }
    absl::StatusOr<std::vector<FrameOutput>> part = Decode(requests);
    if (!part.ok()) return part.status();
    for (FrameOutput& o : *part) outputs.push_back(std::move(o));
  }
  return outputs;
}

std::string DefaultModelPath() {
  const std::string compiled = absl::StrCat(BOTM_MODEL_DIR, "/", kDefaultModelFile);
  if (std::string(BOTM_MODEL_DIR).size() > 0 && FileExists(compiled)) return compiled;
  const std::string beside = absl::StrCat(ExecutableDir(), "/../models/", kDefaultModelFile);
  if (FileExists(beside)) return beside;
  return std::string(BOTM_MODEL_DIR).empty() ? beside : compiled;
}

std::string LoadedBlasName() {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    const size_t slash = line.find('/');
    if (slash == std::string::npos) continue;
    const std::string path = line.substr(slash);
    const size_t base = path.find_last_of('/');
    const std::string file = path.substr(base + 1);
    if (file.find("blas") == std::string::npos && file.find("mkl_") == std::string::npos) continue;
    // Keep the last directory too: ".../openblas-serial/libblas.so.3" -> "openblas-serial/...".
    const size_t dir = path.find_last_of('/', base - 1);
    std::string name = path.substr(dir == std::string::npos ? 0 : dir + 1);
    if (const std::string core = LoadedOpenBlasCore(); !core.empty()) {
      absl::StrAppend(&name, " (core ", core, ")");
    }
    return name;
  }
  return "none";
}

}  // namespace botm
