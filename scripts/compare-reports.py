#!/usr/bin/python3
"""Prints Markdown tables comparing botm-eval reports bin by bin (stdlib only).

Usage: scripts/compare-reports.py NAME=REPORT.json [NAME=REPORT.json ...] [--bins a,b] [--all]
                                   [--results] [--targets]

For each bin (and the pooled "all" row with --all) one row per report: Dice per class and whole
heart, the temporal consistency (flagged frames, LV area flicker, label flicker) and the ED-to-ES
LV area change error, so the cross-frame model, its single-frame ablation and the partner-frame
diagnostics (self / live pairing) can be read side by side.
  --results  the wide results table of docs/TRAINING.md instead: Dice, area ratios (all frames,
             and the LV's at ED and ES), ED-to-ES change, worst LV Dice, HD95 LV, EF MAE, flagged
  --targets  after the table, each report checked against the robustness work's targets (every
             robustness bin: LV >= 0.88, MYO >= 0.75, LA >= 0.80, median area ratios 0.85-1.15,
             mean ED-to-ES change error <= 5 points; normal bin: LV >= 0.93, MYO >= 0.85,
             LA >= 0.85, HD95 LV <= 4 mm, EF MAE <= 5); exits 1 if any target is missed
"""
import json
import sys


def num(value, fmt="%.3f"):
    return fmt % value if isinstance(value, (int, float)) else "-"


def row(name, label, b):
    dice = b.get("dice", {})
    t = b.get("temporal", {})
    r = b.get("robustness", {})
    ch = r.get("lv_area_change", {})
    cells = [name, label] + [num(dice.get(c)) for c in ("lv_cavity", "lv_myocardium", "left_atrium")]
    cells += [num(r.get("heart_dice")), num(t.get("flagged_fraction")), num(t.get("flicker")),
              num(t.get("label_flicker")), num(ch.get("mean_abs_error_points"), "%.1f"),
              num(ch.get("median_abs_error_points"), "%.1f")]
    return "| " + " | ".join(cells) + " |"


CLASSES = ("lv_cavity", "lv_myocardium", "left_atrium")
# The evaluation-only shifted bins; the source of truth is synth::IsRobustnessBin
# (core/synth/echo_generator.h), which report.json does not record.
ROBUSTNESS_BINS = ("shift_gain", "bright_cavity", "padded_sector", "dilated", "truncated_atrium",
                   "heavy_haze", "real_like")


def results_row(name, label, b):
    dice = b.get("dice", {})
    r = b.get("robustness", {})
    ratio = r.get("area_ratio_median", {})
    ch = r.get("lv_area_change", {})
    cells = [name, label] + [num(dice.get(c)) for c in CLASSES] + [num(r.get("heart_dice"))]
    cells.append(" / ".join(num(ratio.get(c), "%.2f") for c in CLASSES))
    cells.append(num(r.get("lv_area_ratio_median_ed"), "%.2f") + " / " +
                 num(r.get("lv_area_ratio_median_es"), "%.2f"))
    cells.append("%s / %s (%s)" % (num(ch.get("predicted_pct"), "%.1f"),
                                   num(ch.get("true_pct"), "%.1f"),
                                   num(ch.get("mean_abs_error_points"), "%.1f")))
    cells += [num(r.get("lv_dice_min"), "%.2f"), num(r.get("lv_dice_below_0_5")),
              num(b.get("hd95_mm", {}).get("lv_cavity"), "%.2f"),
              num(b.get("ef", {}).get("mae_area_length_vs_true"), "%.1f"),
              num(b.get("temporal", {}).get("flagged_fraction"))]
    return "| " + " | ".join(cells) + " |"


def target_misses(rep):
    """Returns (checked, misses): the targets of the robustness work checked on one report."""
    checked, misses = 0, []

    def check(bin_name, what, value, ok):
        nonlocal checked
        if value is None:
            misses.append("%s: %s missing" % (bin_name, what))
            return
        checked += 1
        if not ok(value):
            misses.append("%s: %s %.3f" % (bin_name, what, value))

    def check_dice(bin_name, b, floors):
        for c, floor in zip(CLASSES, floors):
            check(bin_name, "Dice " + c, b.get("dice", {}).get(c), lambda v, f=floor: v >= f)

    bins = rep.get("bins", {})
    for name in ROBUSTNESS_BINS:
        if name not in bins:
            continue
        b = bins[name]
        r = b.get("robustness", {})
        check_dice(name, b, (0.88, 0.75, 0.80))
        for c in CLASSES:
            check(name, "area ratio " + c, r.get("area_ratio_median", {}).get(c),
                  lambda v: 0.85 <= v <= 1.15)
        check(name, "ED-ES change error", r.get("lv_area_change", {}).get("mean_abs_error_points"),
              lambda v: v <= 5.0)
    if "normal" in bins:
        b = bins["normal"]
        check_dice("normal", b, (0.93, 0.85, 0.85))
        check("normal", "HD95 LV mm", b.get("hd95_mm", {}).get("lv_cavity"), lambda v: v <= 4.0)
        check("normal", "EF MAE", b.get("ef", {}).get("mae_area_length_vs_true"),
              lambda v: v <= 5.0)
    return checked, misses


def main(argv):
    reports, bins, pooled, results, targets = [], None, False, False, False
    args = iter(argv)
    for a in args:
        if a == "--bins":
            bins = next(args).split(",")
        elif a == "--all":
            pooled = True
        elif a == "--results":
            results = True
        elif a == "--targets":
            targets = True
        elif "=" in a:
            label, path = a.split("=", 1)
            with open(path) as f:
                reports.append((label, json.load(f)))
        else:
            print(__doc__, file=sys.stderr)
            return 64
    if not reports:
        print(__doc__, file=sys.stderr)
        return 64
    names = bins or list(reports[0][1]["bins"].keys())
    if results:
        make_row = results_row
        print("| bin | model | LV | MYO | LA | heart | area ratio LV / MYO / LA | LV ratio ED / ES | "
              "ED-ES change pred / true (abs err) | min LV | LV<0.5 | HD95 LV mm | EF MAE | "
              "flagged |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    else:
        make_row = row
        print("| bin | model | Dice LV | Dice MYO | Dice LA | Dice heart | flagged frames | "
              "LV area flicker | label flicker | ED-ES change error mean | median |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name in names:
        for label, rep in reports:
            if name in rep.get("bins", {}):
                print(make_row(name, label, rep["bins"][name]))
    if pooled:
        for label, rep in reports:
            print(make_row("**all**", label, rep["all"]))
    status = 0
    if targets:
        print()
        for label, rep in reports:
            checked, misses = target_misses(rep)
            print("%s: %d of %d targets met%s" % (label, checked - len(misses), checked,
                                                  "" if not misses else "; missed: " +
                                                  ", ".join(misses)))
            if misses:
                status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
