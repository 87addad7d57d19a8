"""The soak part of ``report.html``, from ``result["soak"]``: what happened while nobody watched.

Alerts in soak time, each SLO's page-level burn rates against their thresholds (shaded while the
page fired), each resource with its trend, the pages sent, coverage and problems. Charts as in
html_report (plotly.js is inlined once there); text is escaped; a missing piece is a sentence.
"""

from __future__ import annotations

from html import escape
from typing import Any

import plotly.graph_objects as go

from harness.report.formats import num
from harness.report.html_parts import (
    COLOURS,
    CONFIG,
    Markup,
    badge,
    dicts,
    finite,
    mapping,
    note,
    table,
)
from harness.report.html_style import FONT
from harness.values.samples import is_number

__all__ = ["soak_section"]

TONES = {"started": "fail", "leaking": "fail", "drifting": "warn", "cleared": "pass"}
TONES |= {"flat": "pass", "insufficient_data": "no_data", "page": "fail", "ticket": "warn"}
LAYOUT = {
    "template": "plotly_white", "font": {"family": FONT}, "hovermode": "x unified",
    "margin": {"l": 60, "r": 16, "t": 44, "b": 40},
    "legend": {"orientation": "h", "y": -0.25, "font": {"size": 11}},
}  # fmt: skip
CARD = '<div class="chart"><p style="margin: 6px 10px 0">{}</p>{}</div>'  # caption, chart
LIMIT = {"color": COLOURS["fail"], "dash": "dot", "width": 1.5}  # a page threshold's line
WRAP = '<div style="white-space: normal">{}</div>'  # a long text in a table cell
LOG_Y: dict[str, Any] = {"type": "log", "dtick": 1}  # a labelled tick a decade, no more
Points = list[tuple[float, float | None]]


def soak_section(soak: dict[str, Any]) -> str:
    """The soak's headings, tables and charts: an HTML fragment for report.html's ``<main>``."""
    times = finite([h.get("t") for h in dicts(soak.get("burn_history"))])
    for series in mapping(mapping(soak.get("resources")).get("series")).values():
        times += finite(mapping(series).get("t_s"))
    scale = 60.0 if max((t for t in times if t is not None), default=0.0) > 600 else 1.0
    stopped = soak.get("aborted")
    return "".join(
        [
            "<h2>Soak: burn-rate alerts</h2>",
            f"<p><b>Stopped early:</b> {escape(str(stopped))}</p>" if stopped else "",
            _alerts(soak.get("alerts"), soak.get("evaluate_every_s")),
            '<h2>Soak: page-level burn rates</h2><div class="charts">',
            *_burn_charts(soak, scale),
            '</div><h2>Soak: resources</h2><div class="charts">',
            *_resource_charts(soak, scale),
            "</div><h2>Soak: pages sent</h2>",
            _pages(soak.get("pages")),
            "<h2>Soak: coverage</h2>",
            _coverage(soak.get("coverage"), list(mapping(soak.get("policies")))),
            "<h2>Soak: problems inside the monitor (none is fatal)</h2>",
            _problems(soak.get("problems")),
        ]
    )


def _alerts(alerts: Any, interval: Any) -> str:
    if not dicts(alerts):
        every = f" (evaluated every {interval:g} s)" if is_number(interval) else ""
        return note(f"No burn-rate alert fired during the soak{every}.")
    headers = ["time into the soak", "SLO", "severity", "event", "long window", "long burn"]
    rows = []
    for alert in dicts(alerts):
        check = max(dicts(alert.get("checks")), key=_rank, default={})
        rows.append(
            [_clock(alert.get("at_s")), str(alert.get("slo", "")),
             _tag(alert.get("severity")), _tag(alert.get("event")),
             num(check.get("long_s"), "g", " s"), num(check.get("long_burn"), ".3g", "×"),
             num(check.get("short_s"), "g", " s"), num(check.get("short_burn"), ".3g", "×"),
             num(check.get("threshold"), "g", "×")]
        )  # fmt: skip
    explained = (
        "Each row shows the check that explains it best: a firing one first, then the hottest."
    )
    return table([*headers, "short window", "short burn", "fires above"], rows) + note(explained)


def _rank(check: dict[str, Any]) -> tuple[bool, float]:
    """As harness.soak.alerts.Transition.worst: a firing check first, then the highest short burn."""
    [short] = finite([check.get("short_burn")])
    return check.get("firing") is True, short or 0.0


def _burn_charts(soak: dict[str, Any], scale: float) -> list[str]:
    history = [h for h in dicts(soak.get("burn_history")) if is_number(h.get("t"))]
    slos = dict.fromkeys(slo for h in history for slo in mapping(h.get("burn")))
    if not slos:
        return [note("No burn rates were recorded during the soak, so there is no chart of them.")]
    policies, charts = mapping(soak.get("policies")), []
    for i, slo in enumerate(slos):
        rows = [(h["t"] / scale, mapping(mapping(h.get("burn")).get(slo))) for h in history]
        figure, values = go.Figure(), []
        for window in sorted({w for _, burns in rows for w in burns}, key=_window_s):
            points = [(t, v) for t, burns in rows for v in finite([burns.get(window)])]
            values += [v for _, v in points if v is not None]
            _trace(figure, points, f"over {window}")
        if not values:
            charts.append(note(f"Burn rates of {slo}: no evaluation had data."))
            continue
        limits: dict[float, list[str]] = {}  # each page threshold, and the windows it applies to
        for a in dicts(policies.get(slo)):
            if a.get("severity") == "page" and is_number(a.get("burn")):
                windows = f"{num(a.get('long_s'), 'g')}/{num(a.get('short_s'), 'g')} s"
                limits.setdefault(a["burn"], []).append(windows)
        ends = (rows[0][0], rows[-1][0])
        for limit, pairs in sorted(limits.items(), reverse=True):
            name = f"page above {limit:g}× ({', '.join(pairs)})"
            _trace(figure, [(ends[0], limit), (ends[1], limit)], name, line=LIMIT, hoverinfo="skip")
        for start, end in _firing(soak.get("alerts"), slo, ends[1] * scale):
            figure.add_vrect(
                x0=start / scale, x1=end / scale, fillcolor=COLOURS["fail"], opacity=0.1,
                line_width=0, annotation_text="page firing", annotation_position="bottom left",
                annotation_font={"color": COLOURS["fail"], "size": 11},
            )  # fmt: skip
        positive = [v for v in [*values, *limits] if v > 0]
        log = bool(positive) and max(positive) >= 100 * min(positive)  # orders of magnitude
        unit = "× budget (log scale: 0 not drawn)" if log else "× budget"
        div = _figure(figure, f"burn-{i}", f"Burn rates of {slo}", unit, scale, 330, log)
        charts.append(f'<div class="chart">{div}</div>')
    return charts


def _firing(alerts: Any, slo: str, end_s: float) -> list[tuple[float, float]]:
    """When ``slo``'s page fired, in seconds into the soak; one still firing ends at ``end_s``."""
    spans: list[list[float]] = []  # [start] while firing, [start, end] once cleared
    for a in dicts(alerts):
        if a.get("slo") == slo and a.get("severity") == "page" and is_number(a.get("at_s")):
            if a.get("event") == "started" and (not spans or len(spans[-1]) == 2):
                spans.append([float(a["at_s"])])
            elif a.get("event") == "cleared" and spans and len(spans[-1]) == 1:
                spans[-1].append(float(a["at_s"]))
    return [(s[0], s[1] if len(s) == 2 else max(s[0], end_s)) for s in spans]


def _resource_charts(soak: dict[str, Any], scale: float) -> list[str]:
    series = mapping(mapping(soak.get("resources")).get("series"))
    findings = {str(f.get("what")): f for f in dicts(soak.get("findings"))}
    charts = [] if series else [note("No resource was sampled during the soak.")]
    for i, (key, raw) in enumerate(series.items()):
        what, raw = str(mapping(raw).get("what") or key), mapping(raw)
        scale_of_unit = raw.get("scale")
        factor = 1 / scale_of_unit if is_number(scale_of_unit) and scale_of_unit else 1.0
        unit = str(raw.get("unit") or "")
        unjudged = {"status": "not judged", "sentence": f"No trend was fitted to {what}."}
        caption = _finding(findings.pop(what, unjudged))
        if is_number(skipped := raw.get("skipped")) and skipped:
            caption += escape(f" ({skipped:g} samples had no data.)")
        pairs = zip(finite(raw.get("t_s")), finite(raw.get("values")), strict=False)
        xy: Points = [(t / scale, v * factor) for t, v in pairs if t is not None and v is not None]
        figure = go.Figure()
        _trace(figure, xy, what)
        chart = _figure(figure, f"resource-{i}", what, unit, scale, 260) if xy else ""
        charts.append(CARD.format(caption, chart or note(f"{what}: no samples were recorded.")))
    if findings:  # trends without a series here: the endpoints' p99 drift
        items = "".join(f"<li>{_finding(f)}</li>" for f in findings.values())
        charts.append(f'<div class="chart" style="grid-column: 1 / -1"><ul>{items}</ul></div>')
    return charts


def _trace(figure: go.Figure, points: Points, name: str, **style: Any) -> None:
    x, y = [t for t, _ in points], [v for _, v in points]
    figure.add_scatter(x=x, y=y, mode="lines", name=escape(name, quote=False), **style)


def _figure(
    figure: go.Figure, key: str, title: str, unit: str, scale: float, height: int, log: bool = False
) -> str:
    """The figure as html_report draws its own: a div without plotly.js (the page has it once)."""
    figure.update_layout(
        LAYOUT,
        title={"text": escape(title, quote=False), "font": {"size": 15}},
        height=height,
        showlegend=len(figure.data) > 1,
        xaxis={"title": {"text": f"{'minutes' if scale == 60 else 'seconds'} into the soak"}},
        yaxis={"title": {"text": unit}, **(LOG_Y if log else {"rangemode": "tozero"})},
    )
    return str(
        figure.to_html(
            full_html=False, include_plotlyjs=False, include_mathjax=False, config=CONFIG,
            div_id=f"chart-soak-{key}", default_width="100%", default_height=f"{height}px",
        )
    )  # fmt: skip


def _pages(pages: Any) -> str:
    if not dicts(pages):
        return note("No page or change event was sent (paging off, or nothing to send).")
    rows = [
        [str(p.get("kind", "")), str(p.get("dedup_key") or "–"),
         _tag("sent" if p.get("ok") else "failed", "pass" if p.get("ok") else "fail"),
         num(p.get("attempts"), "d"),  # the detail may be long: it wraps
         Markup(WRAP.format(escape(str(p.get("detail", "")))))]
        for p in dicts(pages)
    ]  # fmt: skip
    return table(["event", "dedup key", "delivered", "HTTP attempts", "detail"], rows)


def _coverage(coverage: Any, slos: list[str]) -> str:
    evaluations, seen = mapping(coverage).get("evaluations"), mapping(coverage).get("with_data")
    if not is_number(evaluations) or not evaluations:
        return note("No burn-rate evaluation fell after the warm-up: coverage was not measured.")
    watched, needed = mapping(mapping(coverage).get("watched")), mapping(coverage).get("min_share")
    rows = []
    for slo in dict.fromkeys([*slos, *mapping(seen)]):  # an SLO never measured is not in seen
        count = mapping(seen).get(slo, 0)
        share = count / evaluations if is_number(count) else 0.0
        judged = watched.get(slo)  # True, False, or missing (nothing judged it)
        if judged is True:
            tag = _tag("watched", "pass")
        elif judged is False:
            tag = _tag("too little data", "no_data")
        else:
            tag = _tag("not judged", "no_data")
        rows.append([str(slo), num(count, ",.0f"), num(share, ".0%"), tag])
    head = f'<p class="meta">Of {evaluations:,.0f} burn-rate evaluations after the warm-up, '
    head += (
        f"those with data in every page-level window (at least {num(needed, '.0%')} needed).</p>"
    )
    return head + table(["SLO", "with data", "share", "status"], rows)


def _problems(problems: Any) -> str:
    if not isinstance(problems, list) or not problems:
        return note("The soak monitor reported no problems.")
    return "<ul>" + "".join(f"<li>{escape(str(p))}</li>" for p in problems) + "</ul>"


def _tag(text: Any, tone: str | None = None) -> Markup:
    return badge(text, tone or TONES.get(str(text), str(text)))


def _finding(finding: dict[str, Any]) -> str:
    return f"{_tag(finding.get('status'))} {escape(str(finding.get('sentence', '')))}"


def _clock(seconds: Any) -> str:  # time into the soak as h:mm:ss
    s = max(0, round(seconds)) if is_number(seconds) else -1
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 0 else "–"


def _window_s(window: str) -> float:  # "100s" → 100
    return float(window[:-1]) if window[:-1].replace(".", "", 1).isdigit() else float("inf")
