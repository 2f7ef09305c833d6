#include "core/model/internal/checkpoint.h"

#include <ctime>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/model/sha256.h"

namespace botm {
namespace {

std::string NowUtc() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

torch::Tensor ForStorage(const torch::Tensor& t, bool fp16) {
  torch::Tensor out = t.detach().to(torch::kCPU).contiguous();
  if (fp16 && out.is_floating_point()) out = out.to(torch::kHalf);
  return out;
}

// Mirrors torch::nn::Module::save: local parameters and buffers, then one nested archive per
// child module.
void WriteModule(const torch::nn::Module& m, torch::serialize::OutputArchive& ar, bool fp16) {
  for (const auto& p : m.named_parameters(/*recurse=*/false)) {
    ar.write(p.key(), ForStorage(p.value(), fp16), /*is_buffer=*/false);
  }
  for (const auto& b : m.named_buffers(/*recurse=*/false)) {
    ar.write(b.key(), ForStorage(b.value(), fp16), /*is_buffer=*/true);
  }
  for (const auto& c : m.named_children()) {
    torch::serialize::OutputArchive child(ar.compilation_unit());
    WriteModule(*c.value(), child, fp16);
    ar.write(c.key(), child);
  }
}

std::string Shape(const torch::Tensor& t) { return absl::StrJoin(t.sizes(), "x"); }

absl::Status ReadTensor(torch::serialize::InputArchive& ar, const std::string& key,
                        const std::string& path, torch::Tensor& target) {
  c10::IValue value;
  if (!ar.try_read(key, value) || !value.isTensor()) {
    return absl::InvalidArgumentError(
        absl::StrCat("weights lack tensor '", path, "' (card variant/config mismatch?)"));
  }
  const torch::Tensor stored = value.toTensor();
  if (stored.sizes() != target.sizes()) {
    return absl::InvalidArgumentError(absl::StrCat("tensor '", path, "' has shape ", Shape(stored),
                                                   " in the weights but ", Shape(target),
                                                   " in the card's model (variant mismatch?)"));
  }
  torch::NoGradGuard no_grad;
  target.copy_(stored);
  return absl::OkStatus();
}

absl::Status ReadModule(torch::nn::Module& m, torch::serialize::InputArchive& ar,
                        const std::string& prefix) {
  std::set<std::string> expected;
  for (auto& p : m.named_parameters(/*recurse=*/false)) {
    expected.insert(p.key());
    absl::Status s = ReadTensor(ar, p.key(), prefix + p.key(), p.value());
    if (!s.ok()) return s;
  }
  for (auto& b : m.named_buffers(/*recurse=*/false)) {
    expected.insert(b.key());
    absl::Status s = ReadTensor(ar, b.key(), prefix + b.key(), b.value());
    if (!s.ok()) return s;
  }
  for (auto& c : m.named_children()) {
    expected.insert(c.key());
    torch::serialize::InputArchive child;
    if (!ar.try_read(c.key(), child)) {
      return absl::InvalidArgumentError(absl::StrCat("weights lack module '", prefix, c.key(),
                                                     "' (card variant/config mismatch?)"));
    }
    absl::Status s = ReadModule(*c.value(), child, prefix + c.key() + ".");
    if (!s.ok()) return s;
  }
  for (const std::string& key : ar.keys()) {
    if (key != "training" && expected.count(key) == 0) {
      return absl::InvalidArgumentError(absl::StrCat("weights have unexpected entry '", prefix, key,
                                                     "' (card variant/config mismatch?)"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status SaveCheckpoint(BotmModel& model, ModelCard card, const std::string& pt_path,
                            bool fp16) {
  try {
    torch::serialize::OutputArchive archive;
    WriteModule(*model, archive, fp16);
    archive.save_to(pt_path);
  } catch (const c10::Error& e) {
    return absl::InternalError(absl::StrCat("saving ", pt_path, ": ", e.what_without_backtrace()));
  }
  absl::StatusOr<std::string> sha = Sha256OfFile(pt_path);
  if (!sha.ok()) return absl::InternalError(sha.status().message());
  card.config = model->config();
  card.num_parameters = CountParameters(model);
  card.fp16_weights = fp16;
  card.weights_sha256 = *sha;
  if (card.created_utc.empty()) card.created_utc = NowUtc();
  return WriteModelCard(card, ModelCardPathFor(pt_path));
}

absl::StatusOr<BotmModel> LoadCheckpoint(const std::string& pt_path, ModelCard* card_out) {
  absl::StatusOr<ModelCard> card = ReadModelCard(ModelCardPathFor(pt_path));
  if (!card.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("checkpoint ", pt_path, ": model card: ", card.status().message()));
  }
  absl::StatusOr<std::string> sha = Sha256OfFile(pt_path);
  if (!sha.ok()) return absl::InvalidArgumentError(sha.status().message());
  if (*sha != card->weights_sha256) {
    return absl::InvalidArgumentError(absl::StrCat("corrupt checkpoint ", pt_path, ": sha256 ",
                                                   *sha, " != card's ", card->weights_sha256));
  }
  try {
    BotmModel model(card->config);
    torch::serialize::InputArchive archive;
    archive.load_from(pt_path);
    absl::Status read = ReadModule(*model, archive, "");
    if (!read.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(pt_path, ": ", read.message()));
    }
    model->eval();
    if (card_out != nullptr) *card_out = *card;
    return model;
  } catch (const c10::Error& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("loading ", pt_path, ": ", e.what_without_backtrace()));
  }
}

}  // namespace botm
