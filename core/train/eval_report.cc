// MarkdownReport: the evaluation report as Markdown tables.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
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

std::string RobustnessRow(const std::string& name, const nlohmann::json& b) {
  if (!b.contains("robustness")) return "";
  const nlohmann::json& r = b["robustness"];
  std::string row = absl::StrCat("| ", name);
  for (const char* c : kEvalClassNames) absl::StrAppend(&row, " | ", Num(b["dice"][c]));
  absl::StrAppend(&row, " | ", Num(r["heart_dice"]));
  for (const char* c : kEvalClassNames) {
    absl::StrAppend(&row, " | ", Num(r["area_ratio_median"][c], "%.2f"));
  }
  absl::StrAppend(&row, " | ", Num(r["lv_area_ratio_median_ed"], "%.2f"), " / ",
                  Num(r["lv_area_ratio_median_es"], "%.2f"));
  const nlohmann::json& ch = r["lv_area_change"];
  absl::StrAppend(&row, " | ", Num(ch["predicted_pct"], "%.1f"), " / ", Num(ch["true_pct"], "%.1f"),
                  " | ", Num(ch["mean_abs_error_points"], "%.1f"), " / ",
                  Num(ch["median_abs_error_points"], "%.1f"), " | ", Num(r["lv_dice_min"]), " | ",
                  Num(r["lv_dice_below_0_5"]), " |\n");
  return row;
}

// Compares every numeric leaf of `expected` with the same path in `actual` (timings skipped).
void CompareTree(const nlohmann::json& expected, const nlohmann::json& actual,
                 const std::string& path, double tolerance, std::vector<std::string>* errors) {
  if (expected.is_object()) {
    for (const auto& [key, value] : expected.items()) {
      if (key == "ms_per_frame") continue;
      const std::string sub = path.empty() ? key : absl::StrCat(path, ".", key);
      if (!actual.is_object() || !actual.contains(key)) {
        errors->push_back(absl::StrCat(sub, " missing"));
        continue;
      }
      CompareTree(value, actual[key], sub, tolerance, errors);
    }
    return;
  }
  if (!expected.is_number()) return;
  if (!actual.is_number()) {
    errors->push_back(absl::StrCat(path, " is not a number"));
    return;
  }
  const double e = expected.get<double>(), a = actual.get<double>();
  if (std::isnan(e) && std::isnan(a)) return;
  if (!(std::abs(a - e) <= tolerance * std::max(1.0, std::abs(e)))) {
    char buf[160];
    std::snprintf(buf, sizeof(buf), "%s: %.9g, expected %.9g", path.c_str(), a, e);
    errors->push_back(buf);
  }
}

// One line per clip of a bin's largest ED-to-ES change errors ("" when the bin has none).
std::string WorstChangeRows(const std::string& name, const nlohmann::json& b) {
  if (!b.contains("robustness") || !b["robustness"]["lv_area_change"].contains("worst")) return "";
  std::string rows;
  for (const nlohmann::json& w : b["robustness"]["lv_area_change"]["worst"]) {
    absl::StrAppend(&rows, "| ", name, " | ", w.value("clip", std::string("-")), " | ",
                    Num(w["predicted_pct"], "%.1f"), " / ", Num(w["true_pct"], "%.1f"), " | ",
                    Num(w["error_points"], "%.1f"), " | ", Num(w["lv_dice_ed"]), " / ",
                    Num(w["lv_dice_es"]), " | ", Num(w["lv_area_ratio_ed"], "%.2f"), " / ",
                    Num(w["lv_area_ratio_es"], "%.2f"), " |\n");
  }
  return rows;
}

}  // namespace

absl::Status CompareReports(const nlohmann::json& expected, const nlohmann::json& actual,
                            double tolerance) {
  if (!(tolerance >= 0)) return absl::InvalidArgumentError("tolerance must be >= 0");
  std::vector<std::string> errors;
  const auto text = [](const nlohmann::json& j, const char* a, const char* b = nullptr) {
    const nlohmann::json* v = &j;
    for (const char* k : {a, b}) {
      if (k == nullptr) break;
      if (!v->is_object() || !v->contains(k)) return std::string("<none>");
      v = &(*v)[k];
    }
    return v->is_string() ? v->get<std::string>() : v->dump();
  };
  for (const auto& [a, b] : std::vector<std::pair<const char*, const char*>>{
           {"model", "weights_sha256"}, {"data", nullptr}, {"pairing", nullptr}}) {
    if (text(expected, a, b) != text(actual, a, b)) {
      errors.push_back(absl::StrCat(a, b ? absl::StrCat(".", b) : "", ": '", text(actual, a, b),
                                    "', expected '", text(expected, a, b), "'"));
    }
  }
  if (!actual.contains("bins") || !actual["bins"].is_object() || actual["bins"].empty()) {
    return absl::InvalidArgumentError("the report to check has no bins");
  }
  for (const auto& [name, bin] : actual["bins"].items()) {
    if (!expected.contains("bins") || !expected["bins"].contains(name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("bin '", name, "' is not in the expected report"));
    }
    CompareTree(expected["bins"][name], bin, absl::StrCat("bins.", name), tolerance, &errors);
  }
  if (expected.contains("all") && actual.contains("all") &&
      expected["bins"].size() == actual["bins"].size()) {
    CompareTree(expected["all"], actual["all"], "all", tolerance, &errors);
  }
  if (errors.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      errors.size(), " metric(s) differ from the expected report: ", absl::StrJoin(errors, "; ")));
}

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
  absl::StrAppend(&md,
                  "\n| bin | Dice LV | Dice MYO | Dice LA | Dice heart | area ratio LV | "
                  "area ratio MYO | area ratio LA | LV area ratio ED / ES | ED-to-ES LV area "
                  "change % (pred / true) | "
                  "change error, mean / median (points) | min LV Dice | frames LV Dice < 0.5 |\n",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  if (r.contains("bins")) {
    for (const auto& [name, b] : r["bins"].items()) absl::StrAppend(&md, RobustnessRow(name, b));
  }
  if (r.contains("all")) absl::StrAppend(&md, RobustnessRow("**all**", r["all"]));
  absl::StrAppend(
      &md,
      "\nArea ratio: median over frames of predicted / true area per class. ED-to-ES LV area "
      "change: (A_ED - A_ES) / A_ED of the first annotated ED/ES pair per clip, mean over "
      "clips (predicted change clamped to +-100 %); the error is the mean and the median absolute "
      "difference to the truth in percentage points.\n"
      "\nEF: single-plane area-length (AL) and method of discs from the predicted masks "
      "(ED/ES detected on the predicted LV area curve); 'vs true' compares with the "
      "generator's true EF (or the data set's EF), 'vs GT masks' with the same "
      "measurement on the ground-truth masks. Temporal: share of frames whose LV area "
      "curve has a relative second difference above 0.08 (Painchaud et al. 2022) and "
      "mean relative frame-to-frame area change; ground truth in parentheses. "
      "Label flicker: share of foreground pixels changing label between frames.\n");
  std::string worst;
  if (r.contains("bins")) {
    for (const auto& [name, b] : r["bins"].items())
      absl::StrAppend(&worst, WorstChangeRows(name, b));
  }
  if (!worst.empty()) {
    absl::StrAppend(&md,
                    "\nLargest ED-to-ES LV area change errors per bin (a mean carried by a few "
                    "clips, or a bias over all):\n\n"
                    "| bin | clip | change % (pred / true) | error (points) | LV Dice ED / ES | "
                    "LV area ratio ED / ES |\n|---|---|---|---|---|---|\n",
                    worst);
  }
  return md;
}

}  // namespace botm::train
