#!/usr/bin/python3
"""Prints Markdown tables comparing botm-eval reports bin by bin (stdlib only).

Usage: scripts/compare-reports.py NAME=REPORT.json [NAME=REPORT.json ...] [--bins a,b] [--all]

For each bin (and the pooled "all" row with --all) one row per report: Dice per class and whole
heart, the temporal consistency (flagged frames, LV area flicker, label flicker) and the ED-to-ES
LV area change error, so the cross-frame model, its single-frame ablation and the partner-frame
diagnostics (self / live pairing) can be read side by side.
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


def main(argv):
    reports, bins, pooled = [], None, False
    args = iter(argv)
    for a in args:
        if a == "--bins":
            bins = next(args).split(",")
        elif a == "--all":
            pooled = True
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
    print("| bin | model | Dice LV | Dice MYO | Dice LA | Dice heart | flagged frames | "
          "LV area flicker | label flicker | ED-ES change error mean | median |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name in names:
        for label, rep in reports:
            if name in rep.get("bins", {}):
                print(row(name, label, rep["bins"][name]))
    if pooled:
        for label, rep in reports:
            print(row("**all**", label, rep["all"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
