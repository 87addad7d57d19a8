"""A calibration's report.html: the detection curve (P(fail) per injected slowdown, with exact 95 %
intervals) and the A/A rates, offline (plotly.js inlined), from calibration.json's summary."""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from harness.run_folder import REPORT_HTML, write_atomically

__all__ = ["render_report", "write_report"]


def write_report(folder: Path, summary: Mapping[str, object]) -> Path:
    path = folder / REPORT_HTML
    write_atomically(path, render_report(summary))
    return path


def render_report(summary: Mapping[str, object]) -> str:
    title = f"loadgate calibration: {summary['scenario']} ({summary['mode']})"
    sentences = summary.get("sentences")
    lines = (
        "".join(f"<li>{html.escape(str(s))}</li>" for s in sentences or [])
        if isinstance(sentences, list)
        else ""
    )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f'<script type="text/javascript">{get_plotlyjs()}</script></head>'
        f"<body><h1>{html.escape(title)}</h1><ul id='rates'>{lines}</ul>"
        f"{_curve(summary)}</body></html>"
    )


def _curve(summary: Mapping[str, object]) -> str:
    points = summary.get("detection")
    if not isinstance(points, list) or not points:
        return "<p>No trial was judged yet.</p>"
    shifts = [p["shift_pct"] for p in points]
    p_fail = [p["p_fail"] for p in points]
    figure = go.Figure(
        go.Scatter(
            x=shifts,
            y=p_fail,
            mode="lines+markers",
            name="P(fail)",
            error_y={
                "type": "data",
                "symmetric": False,
                "array": [p["ci"][1] - p["p_fail"] for p in points],
                "arrayminus": [p["p_fail"] - p["ci"][0] for p in points],
            },
            text=[f"{p['failures']} of {p['trials']} failed" for p in points],
        )
    )
    figure.add_hline(y=0.95, line_dash="dot", annotation_text="95 % power")
    figure.update_layout(
        title="Detection curve: runs failed per injected slowdown (95 % Clopper–Pearson)",
        xaxis_title="injected slowdown of the candidate (%)",
        yaxis_title="P(fail)",
        yaxis_range=[-0.02, 1.02],
        template="plotly_white",
    )
    chart: str = figure.to_html(full_html=False, include_plotlyjs=False, div_id="detection-curve")
    return chart
