"""The trend report of ``loadgate history show --html PATH``: one offline page, a chart per series.

Like report.html (html_report.py): Plotly, plotly.js inlined once, no network at all, every text
from the history escaped, written atomically. Each chart draws one series over its runs; its
change points are marked (a dashed line, and a diamond whose hover names the change and its first
run). Each point links to its run's report.html — clicking it opens that page — and a table of
the runs below repeats the links (relative to the page when the run folder is on this machine).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from html import escape
from pathlib import Path
from urllib.parse import quote

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from harness.history.sentences import (
    change_point_line,
    findings_lines,
    higher_is_worse,
    metric_value,
    traffic_title,
)
from harness.history.trends import SeriesTrend, TrafficGroup
from harness.report.html_parts import COLOURS, CONFIG, Markup, badge, note, table
from harness.report.html_style import CSS, FONT
from harness.run_folder import REPORT_HTML, write_atomically
from harness.values.history import ChangePoint, HistoryRun

__all__ = ["render_history_html", "run_link", "write_history_html"]

LINE = "#636efa"
# Clicking a point (or a change point's marker) opens its run's report, like a link would.
CLICK_TO_OPEN = """
document.querySelectorAll('.plotly-graph-div').forEach(function (chart) {
  chart.on('plotly_click', function (event) {
    var link = event.points.length ? event.points[0].customdata : null;
    if (link) { window.location.assign(link); }
  });
});
"""
EXTRA_CSS = (
    ".findings li { margin: 2px 0; } details { margin: 10px 0 0; } summary { cursor: pointer; }"
)


def write_history_html(path: Path, groups: Sequence[TrafficGroup], min_runs: int) -> Path:
    write_atomically(path, render_history_html(groups, min_runs, path.parent))
    return path


def render_history_html(groups: Sequence[TrafficGroup], min_runs: int, page_dir: Path) -> str:
    """``page_dir``: the folder the page is written to; links to run folders are relative to it."""
    runs = sum(len(g.runs) for g in groups)
    body = [
        "<h1>loadgate run history</h1>",
        f'<p class="meta">{runs} run{"s" if runs != 1 else ""} · {len(groups)} scenario and '
        "traffic group(s) · click a point to open its run's report</p>",
    ]
    for number, group in enumerate(groups):
        body += [f"<h2>{escape(traffic_title(group))}</h2>", _findings(group, min_runs)]
        charts = [_chart(f"series-{number}-{i}", s, page_dir) for i, s in enumerate(group.series)]
        body += ['<div class="charts">', *charts, "</div>", _runs_table(group.runs, page_dir)]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>loadgate run history</title><style>{CSS}{EXTRA_CSS}</style>"
        f'<script type="text/javascript">{get_plotlyjs()}</script></head>'
        f"<body><main>{''.join(body)}</main>"
        f'<script type="text/javascript">{CLICK_TO_OPEN}</script></body></html>\n'
    )


def run_link(run: HistoryRun, page_dir: Path) -> str | None:
    """Where the run's report.html is, as the page links to it: under an http(s) run folder, or
    relative to the page (a local folder recorded relative to where loadgate ran is taken as
    relative to the working directory). ``None`` when the history does not say where."""
    if not run.run_dir:
        return None
    if run.run_dir.startswith(("https://", "http://")):
        return run.run_dir.rstrip("/") + "/" + REPORT_HTML
    target = Path(run.run_dir).resolve() / REPORT_HTML
    try:
        relative = os.path.relpath(target, page_dir.resolve())
    except ValueError:  # another drive (Windows): no relative path exists
        return target.as_uri()
    return quote(Path(relative).as_posix())  # ":" quoted too: never read as a URL scheme


def _findings(group: TrafficGroup, min_runs: int) -> str:
    items = "".join(
        f'<li class="{escape(kind.replace(" ", "-"))}">'
        + (f"<b>{escape(kind)}</b> " if kind != "note" else "")
        + f"{escape(line)}</li>"
        for kind, line in findings_lines(group, min_runs)
    )
    return f'<ul class="findings">{items}</ul>'


def _chart(div_id: str, series: SeriesTrend, page_dir: Path) -> str:
    metric = series.key.metric
    runs, values = series.runs, series.values
    figure = go.Figure()
    figure.add_scatter(
        x=[run.started_at for run in runs],
        y=values,
        mode="lines+markers",
        name=escape(series.key.label(), quote=False),
        line={"color": LINE},
        customdata=[run_link(run, page_dir) for run in runs],
        hovertext=[_hover(run, metric, value) for run, value in zip(runs, values, strict=True)],
        hoverinfo="text",
    )
    for point in series.change_points:
        _mark(figure, point, _first_run(series, point), page_dir)
    figure.update_layout(
        title={"text": escape(series.key.label(), quote=False), "font": {"size": 14}},
        height=300,
        template="plotly_white",
        font={"family": FONT},
        hovermode="closest",
        showlegend=False,
        margin={"l": 60, "r": 16, "t": 44, "b": 40},
        yaxis={
            "title": {"text": _unit(metric)},
            "tickformat": ".2%" if metric in ("error_ratio", "sli") else "",
        },
    )
    div = figure.to_html(
        full_html=False,
        include_plotlyjs=False,
        include_mathjax=False,
        config=CONFIG,
        div_id=div_id,
        default_width="100%",
        default_height="300px",
    )
    return f'<div class="chart">{div}</div>'


def _mark(figure: go.Figure, point: ChangePoint, run: HistoryRun, page_dir: Path) -> None:
    """A dashed line where the change begins, and a diamond on its first run whose hover says
    the change, its interval, its confidence and that run (the line itself has no hover)."""
    worse = (point.change_pct > 0) == higher_is_worse(point.key.metric)
    colour = COLOURS["fail"] if worse else COLOURS["pass"]
    figure.add_vline(x=run.started_at, line_dash="dash", line_color=colour, line_width=1)
    figure.add_scatter(
        x=[run.started_at],
        y=[run.values[point.key]],
        mode="markers+text",
        text=[f"{point.change_pct:+.0f} %"],
        textposition="top center",
        textfont={"color": colour},
        cliponaxis=False,  # its label may stand above the plot's top
        marker={"symbol": "diamond", "size": 13, "color": colour},
        name="change point",
        customdata=[run_link(run, page_dir)],
        hovertext=[escape("change point: " + change_point_line(point), quote=False)],
        hoverinfo="text",
    )


def _first_run(series: SeriesTrend, point: ChangePoint) -> HistoryRun:
    """The change's first run: at its index, or found by id if the detector counted otherwise."""
    if 0 <= point.index < len(series.runs) and series.runs[point.index].run_id == point.run_id:
        return series.runs[point.index]
    return next((r for r in series.runs if r.run_id == point.run_id), series.runs[-1])


def _hover(run: HistoryRun, metric: str, value: float) -> str:
    """Three lines (Plotly's hover takes ``<br>``; everything else escaped)."""
    commit = f" · {run.commit[:12]}" if run.commit else ""
    lines = (
        metric_value(metric, value),
        run.run_id + commit,
        f"{run.verdict} · {run.branch or '–'}",
    )
    return "<br>".join(escape(line, quote=False) for line in lines)


def _unit(metric: str) -> str:
    if metric.endswith("_ms"):
        return "ms"
    return {"throughput": "requests/s", "burn_rate": "× budget"}.get(metric, "share")


def _runs_table(runs: Sequence[HistoryRun], page_dir: Path) -> str:
    if not runs:
        return note("No judged run of this traffic.")
    rows = []
    for run in reversed(runs):  # newest first
        link = run_link(run, page_dir)
        ci = run.ci_url if run.ci_url and run.ci_url.startswith(("https://", "http://")) else None
        rows.append(
            [
                Markup(f'<a href="{escape(link)}">{escape(run.run_id)}</a>')
                if link
                else run.run_id,
                run.started_at,
                run.branch or "–",
                (run.commit or "–")[:12],
                badge(run.verdict),
                Markup(f'<a href="{escape(ci)}">CI run</a>') if ci else "–",
            ]
        )
    headers = ["run", "started", "branch", "commit", "verdict", "CI"]
    return f"<details><summary>The runs ({len(runs)}), newest first</summary>{table(headers, rows)}</details>"
