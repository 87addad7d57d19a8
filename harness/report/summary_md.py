"""``summary.md``: the verdict for a pull request page (also appended to ``$GITHUB_STEP_SUMMARY``)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from harness.report.formats import num
from harness.run_folder import SUMMARY_MD, write_atomically

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


def render_summary(result: Mapping[str, Any]) -> str:
    verdict = result["verdict"]
    run = result["run"]
    lines = [
        f"## {ICONS[verdict]} loadgate: {verdict.upper()} — {run['scenario']}",
        "",
        *[f"- {reason}" for reason in result["reasons"]],
        "",
        f"Run `{run['id']}` against `{run['target']}`"
        + (
            f", load window {run['load_window']['seconds']:.0f} s."
            if run.get("load_window")
            else "."
        ),
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
            if c.get("effect_pct") is not None and c.get("confidence_interval_pct"):
                low, high = c["confidence_interval_pct"]
                change = f"{c['effect_pct']:+.1f} % ({low:+.1f} to {high:+.1f} %)"
            lines.append(f"| {c['name']} | {ICONS.get(c['status'], '')} {c['status']} | {num(c['observed'])} | "
                         f"{num(c.get('baseline'))} | {change} | {_weight(c)} |")  # fmt: skip
        lines.append("")
    if result.get("score"):
        score = result["score"]
        lines += [f"Gate score: **{score['value']:.0f} %** ({score['earned']:g} of {score['possible']:g} points; "
                  f"pass ≥ {score['pass']:g} %, warning ≥ {score['warning']:g} %).", ""]  # fmt: skip
    if result.get("client"):
        lines += [
            "| endpoint | requests | failures | p50 | p95 | p99 | max |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for e in [*result["client"]["endpoints"], result["client"]["total"]]:
            times = " | ".join(
                num(e[k], ".1f", " ms") for k in ("p50_ms", "p95_ms", "p99_ms", "max_ms")
            )
            lines.append(
                f"| {e['method']} {e['name']} | {e['requests']:,} | {e['failures']:,} | {times} |"
            )
    return "\n".join(lines).rstrip() + "\n"


def write_summary(run_dir: Path, result: Mapping[str, Any]) -> Path:
    text = render_summary(result)
    path = run_dir / SUMMARY_MD
    write_atomically(path, text)
    step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if step_summary:  # GitHub Actions shows this file on the run's page
        with Path(step_summary).open("a", encoding="utf-8") as handle:
            handle.write(text + "\n")
    return path


def _weight(criterion: dict[str, Any]) -> str:
    return "key" if criterion.get("key") else f"{criterion.get('weight', 1):g}"
