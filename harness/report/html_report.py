"""``report.html``: one page per run for people — the verdict and why, the tables, the charts.

Built from the result document alone (typed: harness/values/result_doc.py). Plotly draws the
charts and plotly.js is inlined once, so the page opens from a file or a CI artifact with no
network at all: no CDN, no web fonts, no MathJax. Every text that comes from the result is
escaped, and missing data becomes a sentence.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from harness.report.formats import TABLE_PERCENTILES, num, traffic_lines
from harness.report.html_parts import COLOURS, CONFIG, NEUTRAL, badge, note, table
from harness.report.html_soak import soak_section
from harness.report.html_style import CSS, FONT
from harness.run_folder import REPORT_HTML, write_atomically
from harness.values.result_doc import (
    ClientDoc,
    CriterionDoc,
    GeneratorDoc,
    ResultDoc,
    ScoreDoc,
    SLODoc,
)
from harness.values.run_result import percentile_label
from harness.values.samples import WINDOW_PERCENTILES, WINDOW_S, WindowValues, endpoint_key

__all__ = ["render_html", "write_html"]

P99 = "#00a67e"
# The per-window percentiles' lines: p50, p95 and p99 (the baseline's p99 dashed beside it).
LINES = dict(zip(WINDOW_PERCENTILES, ("#636efa", "#ef553b", P99), strict=True))
Trace = tuple[str, WindowValues, dict[str, str]]  # legend name, values per window, line style


def write_html(run_dir: Path, result: ResultDoc) -> Path:
    path = run_dir / REPORT_HTML
    write_atomically(path, render_html(result))
    return path


def render_html(result: ResultDoc) -> str:
    run, verdict = result["run"], result["verdict"]
    meta = [f"run {run['id']}", f"target {run['target']}", f"started {run['started_at']}"]
    meta += [f"load window {window['seconds']:.0f} s"] if (window := run["load_window"]) else []
    reasons = "".join(f"<li>{escape(r)}</li>" for r in result["reasons"])
    title = f"loadgate {verdict.upper()} — {run['scenario']}"
    body = [
        f"<h1>{escape(title)}</h1>",
        f'<p class="meta">{escape(" · ".join(meta))}</p>',
        f'<section id="verdict" class="verdict" style="--c: {COLOURS.get(verdict, NEUTRAL)}">'
        f'<span class="label">{escape(verdict.upper())}</span> (exit {result["exit_code"]})'
        f'<ul class="reasons">{reasons}</ul></section>',
        _slos(result["slos"]),
        _criteria(result["criteria"], result["score"]),
        _client(result["client"]),
        _traffic(result),
        _generator(result["generator"]),
        '<h2>Over time</h2><div class="charts">',
        *_charts(result),
        "</div>",
    ]
    if soak := result.get("soak"):  # written by loadgate soak
        body.append(soak_section(soak))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{CSS}</style>"
        f'<script type="text/javascript">{get_plotlyjs()}</script></head>'
        f"<body><main>{''.join(body)}</main></body></html>\n"
    )


def _slos(slos: list[SLODoc]) -> str:
    if not slos:
        return '<h2>SLOs</h2><p class="note">No SLO was evaluated in this run.</p>'
    rows = [
        [
            s["name"],
            badge(s["status"]),
            num(s["sli"], ".3%"),
            num(s["objective"], ".3%"),
            num(s["events"], ",.0f"),
            num(s["burn_rate"], ".2f", "×"),
            s["detail"],
        ]
        for s in slos
    ]
    headers = ["SLO", "status", "SLI", "objective", "events", "burn rate", "detail"]
    return "<h2>SLOs over the load window</h2>" + table(headers, rows)


def _criteria(criteria: list[CriterionDoc], score: ScoreDoc | None) -> str:
    html = "<h2>Gate criteria</h2>"
    if score:
        html += (
            f'<p class="score">Score <b>{num(score["value"], ".1f", " %")}</b> — pass at '
            f"≥ {num(score['pass'], 'g', ' %')}, warning at ≥ {num(score['warning'], 'g', ' %')}</p>"
        )
    if not criteria:
        return html + '<p class="note">No gate criteria beyond the SLOs\' objectives.</p>'
    headers = ["criterion", "status", "observed", "threshold", "baseline", "change", "95 % CI"]
    rows = []
    for c in criteria:
        ci = c["confidence_interval_pct"]
        ci_text = f"{num(ci[0], '+.1f')} to {num(ci[1], '+.1f')} %" if ci and len(ci) == 2 else "–"
        rows.append(
            [
                c["name"],
                badge(c["status"]),
                num(c["observed"]),
                num(c["threshold"], "g"),
                num(c["baseline"]),
                num(c["effect_pct"], "+.1f", " %"),
                ci_text,
                num(c["weight"], "g"),
                "yes" if c["key"] else "no",
            ]
        )
    return html + table([*headers, "weight", "key"], rows)


def _client(client: ClientDoc | None) -> str:
    if client is None:
        return '<h2>Client endpoints</h2><p class="note">The load generator wrote no results.</p>'
    rows = [
        [
            endpoint_key(e["method"], e["name"]),
            num(e["requests"], ",.0f"),
            num(e["failures"], ",.0f"),
            *(num(e[key], ".1f", " ms") for key in TABLE_PERCENTILES),
        ]
        for e in [*client["endpoints"], client["total"]]
    ]
    headers = ["endpoint", "requests", "failures", *map(percentile_label, TABLE_PERCENTILES)]
    return "<h2>Client endpoints (exact, HDR)</h2>" + table(headers, rows)


def _traffic(result: ResultDoc) -> str:
    """What the traffic exercised: a user sees whether the run measured the service or a cache."""
    lines = traffic_lines(result)
    if not lines:
        return ""
    items = "".join(f"<li>{escape(line)}</li>" for line in lines)
    return f'<h2>Traffic</h2><ul id="traffic">{items}</ul>'


def _generator(generator: GeneratorDoc) -> str:
    rows = [
        ["highest CPU of a Locust process", num(generator["cpu_max"], ".1f", " %")],
        ["dropped iterations", num(generator["dropped_iterations"], ",.0f")],
        ["target arrival rate", num(generator["target_arrival_rate"], ".1f", "/s")],
        ["achieved arrival rate", num(generator["achieved_arrival_rate"], ".1f", "/s")],
        ["exit code", num(generator["exit_code"], "d")],
        ["iterations", num(generator["iterations"], ",.0f")],
        ["iterations that raised", num(generator["user_errors"], ",.0f")],
    ]
    rows += [
        [f"CPU of {p['process']}", num(p["cpu_max"], ".1f", " %")] for p in generator["processes"]
    ]
    rows += [["problem", p] for p in generator["problems"]]
    rows += [["warning", w] for w in generator["warnings"]]
    return "<h2>Load generator health</h2>" + table(["measure", "value"], rows)


def _charts(result: ResultDoc) -> list[str]:
    """Charts first, then the sentences about what could not be drawn (each a full grid row)."""
    samples = result.get("samples", {})
    if not samples:
        return [note("No per-window samples were recorded, so there are no charts over time.")]
    baseline, duet = result.get("baseline"), result.get("duet")
    old, name = (baseline["samples"], baseline["name"]) if baseline else ({}, "")
    if duet:  # the baseline side, run beside this one: the same windows, the same traffic
        old, name = duet["samples"], f"duet baseline {duet['baseline_target']}"
    charts, notes = [], [] if name else [note("This run was not compared with a baseline.")]
    for i, (endpoint, metrics) in enumerate(samples.items()):
        traces: list[Trace] = [
            (percentile_label(key), metrics.get(key, []), {"color": colour})
            for key, colour in LINES.items()
        ]
        if name:  # the baseline's p99, dashed, beside this run's
            p99 = old.get(endpoint, {}).get("p99_ms", [])
            traces.append((f"p99 of baseline “{name}”", p99, {"color": P99, "dash": "dash"}))
            if not any(v is not None for v in p99):
                notes.append(note(f"Baseline “{name}” has no p99 samples for {endpoint}."))
        charts.append(_chart(f"latency-{i}", f"Latency of {endpoint}", "ms", traces))
    if missing := ", ".join(e for e in old if e not in samples):
        notes.append(note(f"Baseline “{name}” has endpoints this run did not measure: {missing}."))
    for metric, title, unit, ticks in (
        ("throughput", "Throughput", "requests/s", ""),
        ("error_ratio", "Error ratio", "share of requests", ".1%"),
    ):
        traces = [(e, m.get(metric, []), {}) for e, m in samples.items()]
        charts.append(_chart(metric.replace("_", "-"), title, unit, traces, tickformat=ticks))
    burn = result.get("slo_samples", {})
    if burn:
        traces = [(slo, s.get("burn_rate", []), {}) for slo, s in burn.items()]
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
        points = [(WINDOW_S * (i + 1), v) for i, v in enumerate(values)]
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
