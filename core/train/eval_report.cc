// MarkdownReport: the evaluation report as Markdown tables.
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/train/eval_stats.h"
#include "core/train/evaluator.h"

namespace botm::train {
namespace {

std::string Num(const nlohmann::json& v, const char* fmt = "%.3f") {
  if (!v.is_number()) return "-";
  char buf[32];
  std::snprintf(buf, sizeof(buf), fmt, v.get<double>());
  return buf;
}

std::string Row(const std::string& name, const nlohmann::json& b) {
  std::string row =
      absl::StrCat("| ", name, " | ", b.value("clips", 0), " | ", b.value("frames", 0));
  for (const char* c : kEvalClassNames) absl::StrAppend(&row, " | ", Num(b["dice"][c]));
  for (const char* c : kEvalClassNames) absl::StrAppend(&row, " | ", Num(b["hd95_mm"][c], "%.2f"));
  for (const char* c : kEvalClassNames) absl::StrAppend(&row, " | ", Num(b["msd_mm"][c], "%.2f"));
  const nlohmann::json& ef = b["ef"];
  const nlohmann::json& t = b["temporal"];
  absl::StrAppend(
      &row, " | ", Num(ef["mae_area_length_vs_true"], "%.1f"), " / ",
      Num(ef["mae_discs_vs_true"], "%.1f"), " | ", Num(ef["mae_area_length_vs_gt_masks"], "%.1f"),
      " / ", Num(ef["mae_discs_vs_gt_masks"], "%.1f"), " | ", Num(t["flagged_fraction"]), " (",
      Num(t["gt_flagged_fraction"]), ") | ", Num(t["flicker"]), " (", Num(t["gt_flicker"]), ") | ",
      Num(t["label_flicker"]), " | ", Num(b["ms_per_frame"], "%.1f"), " |\n");
  return row;
}

}  // namespace

std::string MarkdownReport(const nlohmann::json& r) {
  const nlohmann::json& m = r["model"];
  std::string md = absl::StrCat(
      "# Evaluation: ", m.value("name", "?"), " ", m.value("version", ""), " (",
      m.value("variant", ""), ", ", m.value("input_size", 0), " px, cross_frame ",
      m.value("cross_frame", false) ? "on" : "off", ")\n\nweights sha256 `",
      m.value("weights_sha256", ""), "`, device ", m.value("device", ""), ", BLAS ",
      m.value("blas", ""), ", ", m.value("intra_op_threads", 0),
      " thread(s)\n\nData: ", r.value("data", ""), "; ", r.value("pairing", ""), ".\n\n");
  absl::StrAppend(
      &md,
      "| bin | clips | frames | Dice LV | Dice MYO | Dice LA | HD95 LV mm | HD95 MYO mm | "
      "HD95 LA mm | MSD LV mm | MSD MYO mm | MSD LA mm | EF MAE vs true (AL / discs) | "
      "EF MAE vs GT masks (AL / discs) | flagged frames (GT) | LV area flicker (GT) | "
      "label flicker | ms/frame |\n",
      "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  if (r.contains("bins")) {
    for (const auto& [name, b] : r["bins"].items()) absl::StrAppend(&md, Row(name, b));
  }
  if (r.contains("all")) absl::StrAppend(&md, Row("**all**", r["all"]));
  absl::StrAppend(
      &md,
      "\nEF: single-plane area-length (AL) and method of discs from the predicted masks "
      "(ED/ES detected on the predicted LV area curve); 'vs true' compares with the "
      "generator's true EF (or the data set's EF), 'vs GT masks' with the same "
      "measurement on the ground-truth masks. Temporal: share of frames whose LV area "
      "curve has a relative second difference above 0.08 (Painchaud et al. 2022) and "
      "mean relative frame-to-frame area change; ground truth in parentheses. "
      "Label flicker: share of foreground pixels changing label between frames.\n");
  return md;
}

}  // namespace botm::train
