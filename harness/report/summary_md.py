"""``summary.md``: the verdict for a pull request page (also appended to ``$GITHUB_STEP_SUMMARY``)."""

from __future__ import annotations

import os
from pathlib import Path

from harness.report.formats import TABLE_PERCENTILES, comparison_lines, num, traffic_lines
from harness.run_folder import SUMMARY_MD, write_atomically
from harness.values.result_doc import CriterionDoc, ResultDoc
from harness.values.run_result import percentile_label

__all__ = ["render_summary", "write_summary"]

ICONS = {
    "pass": "✅",
    "warn": "⚠️",
    "fail": "❌",
    "inconclusive": "❔",
    "met": "✅",
    "breached": "❌",
    "no_data": "❔",
}
# A pull request's page is narrow: its table leaves out the p99.9 the other reports show.
PERCENTILES = tuple(key for key in TABLE_PERCENTILES if key != "p999_ms")


def render_summary(result: ResultDoc) -> str:
    verdict = result["verdict"]
    run = result["run"]
    lines = [
        f"## {ICONS[verdict]} loadgate: {verdict.upper()} — {run['scenario']}",
        "",
        *[f"- {reason}" for reason in result["reasons"]],
        "",
        f"Run `{run['id']}` against `{run['target']}`"
        + (f", load window {window['seconds']:.0f} s." if (window := run["load_window"]) else "."),
        "",
    ]
    if result["slos"]:
        lines += [
            "| SLO | status | SLI | objective | events | burn rate |",
            "|---|---|---:|---:|---:|---:|",
        ]
        for slo in result["slos"]:
            numbers = [num(slo["sli"], ".3%"), num(slo["objective"], ".3%"),
                       num(slo["events"], ",.0f"), num(slo["burn_rate"], ".2f", "×")]  # fmt: skip
            lines.append(f"| {slo['name']} | {ICONS[slo['status']]} {slo['status']} | "
                         + " | ".join(numbers) + " |")  # fmt: skip
        lines.append("")
    if result["criteria"]:
        lines += [
            "| criterion | status | observed | baseline | change (95 % CI) | weight |",
            "|---|---|---:|---:|---|---:|",
        ]
        for c in result["criteria"]:
            change = "–"
            if (effect := c["effect_pct"]) is not None and (
                interval := c["confidence_interval_pct"]
            ):
                low, high = interval
                change = f"{effect:+.1f} % ({low:+.1f} to {high:+.1f} %)"
            lines.append(f"| {c['name']} | {ICONS.get(c['status'], '')} {c['status']} | {num(c['observed'])} | "
                         f"{num(c['baseline'])} | {change} | {_weight(c)} |")  # fmt: skip
        lines.append("")
    if seen := comparison_lines(result):
        lines += [*seen, ""]
    if traffic := traffic_lines(result):
        lines += [*traffic, ""]
    if score := result["score"]:
        lines += [f"Gate score: **{score['value']:.0f} %** ({score['earned']:g} of {score['possible']:g} points; "
                  f"pass ≥ {score['pass']:g} %, warning ≥ {score['warning']:g} %).", ""]  # fmt: skip
    if client := result["client"]:
        lines += [
            "| endpoint | requests | failures | "
            + " | ".join(percentile_label(key) for key in PERCENTILES) + " |",
            "|---|---:|---:|" + "---:|" * len(PERCENTILES),
        ]  # fmt: skip
        for e in [*client["endpoints"], client["total"]]:
            times = " | ".join(num(e[key], ".1f", " ms") for key in PERCENTILES)
            lines.append(
                f"| {e['method']} {e['name']} | {e['requests']:,} | {e['failures']:,} | {times} |"
            )
    return "\n".join(lines).rstrip() + "\n"


def write_summary(run_dir: Path, result: ResultDoc) -> Path:
    text = render_summary(result)
    path = run_dir / SUMMARY_MD
    write_atomically(path, text)
    step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if step_summary:  # GitHub Actions shows this file on the run's page
        with Path(step_summary).open("a", encoding="utf-8") as handle:
            handle.write(text + "\n")
    return path


def _weight(criterion: CriterionDoc) -> str:
    return "key" if criterion["key"] else f"{criterion['weight']:g}"
