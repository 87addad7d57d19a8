"""``report.html``: one page per run for people — the verdict and why, the tables, the charts.

Built from the result.json document alone. Plotly draws the charts and plotly.js is inlined once,
so the page opens from a file or a CI artifact with no network at all: no CDN, no web fonts, no
MathJax. Every text that comes from the result is escaped, and missing data becomes a sentence.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from harness.report.formats import num
from harness.report.html_parts import (
    COLOURS,
    CONFIG,
    NEUTRAL,
    badge,
    finite,
    mapping,
    note,
    table,
)
from harness.report.html_soak import soak_section
from harness.report.html_style import CSS, FONT
from harness.run_folder import REPORT_HTML, write_atomically
from harness.values.samples import WINDOW_S, endpoint_key, is_number

__all__ = ["render_html", "write_html"]

P99 = "#00a67e"
PERCENTILES = {"p50_ms": "#636efa", "p95_ms": "#ef553b", "p99_ms": P99}
Trace = tuple[str, Any, dict[str, str]]  # legend name, values (one per window), line style


def write_html(run_dir: Path, result: Mapping[str, Any]) -> Path:
    path = run_dir / REPORT_HTML
    write_atomically(path, render_html(result))
    return path


def render_html(result: Mapping[str, Any]) -> str:
    run = result.get("run") or {}
    verdict = str(result.get("verdict", "inconclusive"))
    seconds = (run.get("load_window") or {}).get("seconds")
    meta = [f"run {run.get('id', '?')}", f"target {run.get('target', '?')}"]
    meta += [f"started {run.get('started_at', '?')}"]
    meta += [f"load window {seconds:.0f} s"] if is_number(seconds) else []
    reasons = "".join(f"<li>{escape(str(r))}</li>" for r in result.get("reasons") or [])
    title = f"loadgate {verdict.upper()} — {run.get('scenario', '')}"
    body = [
        f"<h1>{escape(title)}</h1>",
        f'<p class="meta">{escape(" · ".join(meta))}</p>',
        f'<section id="verdict" class="verdict" style="--c: {COLOURS.get(verdict, NEUTRAL)}">'
        f'<span class="label">{escape(verdict.upper())}</span> (exit {escape(str(result.get("exit_code", "?")))})'
        f'<ul class="reasons">{reasons}</ul></section>',
        _slos(result.get("slos") or []),
        _criteria(result.get("criteria") or [], result.get("score")),
        _client(result.get("client")),
        _generator(result.get("generator")),
        '<h2>Over time</h2><div class="charts">',
        *_charts(result),
        "</div>",
    ]
    if isinstance(soak := result.get("soak"), dict):  # written by loadgate soak
        body.append(soak_section(soak))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{CSS}</style>"
        f'<script type="text/javascript">{get_plotlyjs()}</script></head>'
        f"<body><main>{''.join(body)}</main></body></html>\n"
    )


def _slos(slos: list[dict[str, Any]]) -> str:
    if not slos:
        return '<h2>SLOs</h2><p class="note">No SLO was evaluated in this run.</p>'
    rows = [
        [
            str(s.get("name", "")),
            badge(s.get("status")),
            num(s.get("sli"), ".3%"),
            num(s.get("objective"), ".3%"),
            num(s.get("events"), ",.0f"),
            num(s.get("burn_rate"), ".2f", "×"),
            str(s.get("detail") or ""),
        ]
        for s in slos
    ]
    headers = ["SLO", "status", "SLI", "objective", "events", "burn rate", "detail"]
    return "<h2>SLOs over the load window</h2>" + table(headers, rows)


def _criteria(criteria: list[dict[str, Any]], score: Any) -> str:
    html = "<h2>Gate criteria</h2>"
    if isinstance(score, dict):
        html += (
            f'<p class="score">Score <b>{num(score.get("value"), ".1f", " %")}</b> — pass at '
            f"≥ {num(score.get('pass'), 'g', ' %')}, warning at ≥ {num(score.get('warning'), 'g', ' %')}</p>"
        )
    if not criteria:
        return html + '<p class="note">No gate criteria beyond the SLOs\' objectives.</p>'
    weighted = any("weight" in c or "key" in c for c in criteria)
    headers = ["criterion", "status", "observed", "threshold", "baseline", "change", "95 % CI"]
    rows = []
    for c in criteria:
        ci = c.get("confidence_interval_pct")
        ci_text = f"{num(ci[0], '+.1f')} to {num(ci[1], '+.1f')} %" if ci and len(ci) == 2 else "–"
        row = [
            str(c.get("name", "")),
            badge(c.get("status")),
            num(c.get("observed")),
            num(c.get("threshold"), "g"),
            num(c.get("baseline")),
            num(c.get("effect_pct"), "+.1f", " %"),
            ci_text,
        ]
        if weighted:
            row += [num(c.get("weight"), "g"), "yes" if c.get("key") else "no"]
        rows.append(row)
    return html + table(headers + (["weight", "key"] if weighted else []), rows)


def _client(client: Any) -> str:
    if not isinstance(client, dict):
        return '<h2>Client endpoints</h2><p class="note">The load generator wrote no results.</p>'
    keys = ("p50_ms", "p95_ms", "p99_ms", "p999_ms", "max_ms")
    rows = [
        [
            endpoint_key(str(e.get("method", "")), str(e.get("name", ""))),
            num(e.get("requests"), ",.0f"),
            num(e.get("failures"), ",.0f"),
            *(num(e.get(k), ".1f", " ms") for k in keys),
        ]
        for e in [*(client.get("endpoints") or []), client.get("total") or {}]
    ]
    headers = ["endpoint", "requests", "failures", "p50", "p95", "p99", "p99.9", "max"]
    return "<h2>Client endpoints (exact, HDR)</h2>" + table(headers, rows)


def _generator(generator: Any) -> str:
    if not isinstance(generator, dict):
        return ""
    rows = [
        ["highest CPU of a Locust process", num(generator.get("cpu_max"), ".1f", " %")],
        ["dropped iterations", num(generator.get("dropped_iterations"), ",.0f")],
        ["target arrival rate", num(generator.get("target_arrival_rate"), ".1f", "/s")],
        ["achieved arrival rate", num(generator.get("achieved_arrival_rate"), ".1f", "/s")],
        ["exit code", num(generator.get("exit_code"), "d")],
        ["iterations", num(generator.get("iterations"), ",.0f")],
        ["iterations that raised", num(generator.get("user_errors"), ",.0f")],
    ]
    rows += [
        [f"CPU of {p.get('process')}", num(p.get("cpu_max"), ".1f", " %")]
        for p in generator.get("processes") or []
        if isinstance(p, dict)
    ]
    rows += [["problem", str(p)] for p in generator.get("problems") or []]
    rows += [["warning", str(w)] for w in generator.get("warnings") or []]
    return "<h2>Load generator health</h2>" + table(["measure", "value"], rows)


def _charts(result: Mapping[str, Any]) -> list[str]:
    """Charts first, then the sentences about what could not be drawn (each a full grid row)."""
    samples = mapping(result.get("samples"))
    if not samples:
        return [note("No per-window samples were recorded, so there are no charts over time.")]
    baseline = result.get("baseline")
    old = mapping(baseline.get("samples")) if isinstance(baseline, dict) else {}
    name = baseline.get("name", "?") if isinstance(baseline, dict) else ""
    charts, notes = [], [] if name else [note("This run was not compared with a baseline.")]
    for i, (endpoint, metrics) in enumerate(samples.items()):
        traces: list[Trace] = [
            (p[:3], mapping(metrics).get(p), {"color": c}) for p, c in PERCENTILES.items()
        ]
        if name:  # the baseline's p99, dashed, beside this run's
            p99 = mapping(old.get(endpoint)).get("p99_ms")
            traces.append((f"p99 of baseline “{name}”", p99, {"color": P99, "dash": "dash"}))
            if not any(v is not None for v in finite(p99)):
                notes.append(note(f"Baseline “{name}” has no p99 samples for {endpoint}."))
        charts.append(_chart(f"latency-{i}", f"Latency of {endpoint}", "ms", traces))
    if missing := ", ".join(e for e in old if e not in samples):
        notes.append(note(f"Baseline “{name}” has endpoints this run did not measure: {missing}."))
    for metric, title, unit, ticks in (
        ("throughput", "Throughput", "requests/s", ""),
        ("error_ratio", "Error ratio", "share of requests", ".1%"),
    ):
        traces = [(e, mapping(m).get(metric), {}) for e, m in samples.items()]
        charts.append(_chart(metric.replace("_", "-"), title, unit, traces, tickformat=ticks))
    burn = mapping(result.get("slo_samples"))
    if burn:
        traces = [(slo, mapping(s).get("burn_rate"), {}) for slo, s in burn.items()]
        charts.append(_chart("burn-rate", "Error-budget burn rate", "× budget", traces, hline=1.0))
    else:
        notes.append(note("No per-window burn rates were recorded, so no error-budget chart."))
    return charts + notes


def _chart(
    key: str,
    title: str,
    unit: str,
    traces: list[Trace],
    hline: float | None = None,
    tickformat: str = "",
) -> str:
    """A line chart, one trace per series with data; a sentence when no series has any."""
    figure = go.Figure()
    for name, values, line in traces:
        points = [(WINDOW_S * (i + 1), v) for i, v in enumerate(finite(values))]
        if any(v is not None for _, v in points):
            figure.add_scatter(
                x=[t for t, _ in points],
                y=[v for _, v in points],
                mode="lines+markers",
                name=escape(name, quote=False),
                line=line,
                connectgaps=False,
            )
    if not figure.data:
        return note(f"{title}: no samples were recorded.")
    if hline is not None:
        figure.add_hline(
            y=hline,
            line_dash="dot",
            line_color=COLOURS["fail"],
            annotation_text="budget pace",
            annotation_position="top left",
            annotation_font={"color": COLOURS["fail"], "size": 11},
        )
    figure.update_layout(
        title={"text": escape(title, quote=False), "font": {"size": 15}},
        height=330,
        template="plotly_white",
        font={"family": FONT},
        hovermode="x unified",
        margin={"l": 60, "r": 16, "t": 44, "b": 40},
        legend={"orientation": "h", "y": -0.25, "font": {"size": 11}},
        xaxis={"title": {"text": "seconds into the load window"}},
        yaxis={"title": {"text": unit}, "rangemode": "tozero", "tickformat": tickformat},
    )
    div = figure.to_html(
        full_html=False,
        include_plotlyjs=False,
        include_mathjax=False,
        config=CONFIG,
        div_id=f"chart-{key}",
        default_width="100%",
        default_height="330px",
    )
    return f'<div class="chart">{div}</div>'
