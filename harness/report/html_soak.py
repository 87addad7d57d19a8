"""The soak part of ``report.html``, from ``result["soak"]``: what happened while nobody watched.

Alerts in soak time, each SLO's page-level burn rates against their thresholds (shaded while the
page fired), each resource with its trend, the pages sent, coverage and problems. Charts as in
html_report (plotly.js is inlined once there); text is escaped; a missing piece is a sentence.
It draws what the section states (harness/values/soak_doc.py) — when a page fired, how long each
window is, which check explains an alert, whether an SLO was watched — and works none of it out.
"""

from __future__ import annotations

from html import escape

import plotly.graph_objects as go

from harness.report.formats import num
from harness.report.html_parts import COLOURS, CONFIG, Markup, badge, note, table
from harness.report.html_style import FONT
from harness.values.soak_doc import (
    AlertDoc,
    CoverageDoc,
    DeliveryDoc,
    FindingDoc,
    FiringDoc,
    SoakDoc,
)

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
LOG_Y: dict[str, object] = {"type": "log", "dtick": 1}  # a labelled tick a decade, no more
Points = list[tuple[float, float | None]]


def soak_section(soak: SoakDoc) -> str:
    """The soak's headings, tables and charts: an HTML fragment for report.html's ``<main>``."""
    series = soak["resources"]["series"] if soak["resources"] else {}
    times = [h["t"] for h in soak["burn_history"]] + [t for s in series.values() for t in s["t_s"]]
    scale = 60.0 if max(times, default=0.0) > 600 else 1.0  # minutes for a soak past 10 min
    stopped = soak["aborted"]
    return "".join(
        [
            "<h2>Soak: burn-rate alerts</h2>",
            f"<p><b>Stopped early:</b> {escape(stopped)}</p>" if stopped else "",
            _alerts(soak["alerts"], soak["evaluate_every_s"]),
            '<h2>Soak: page-level burn rates</h2><div class="charts">',
            *_burn_charts(soak, scale),
            '</div><h2>Soak: resources</h2><div class="charts">',
            *_resource_charts(soak, scale),
            "</div><h2>Soak: pages sent</h2>",
            _pages(soak["pages"]),
            "<h2>Soak: coverage</h2>",
            _coverage(soak["coverage"]),
            "<h2>Soak: problems inside the monitor (none is fatal)</h2>",
            _problems(soak["problems"]),
        ]
    )


def _alerts(alerts: list[AlertDoc], interval: float) -> str:
    if not alerts:
        return note(f"No burn-rate alert fired during the soak (evaluated every {interval:g} s).")
    headers = ["time into the soak", "SLO", "severity", "event", "long window", "long burn"]
    rows = []
    for alert in alerts:
        worst = alert["worst"]
        check = alert["checks"][worst] if worst is not None else None
        numbers = (
            [num(check["long_s"], "g", " s"), num(check["long_burn"], ".3g", "×"),
             num(check["short_s"], "g", " s"), num(check["short_burn"], ".3g", "×"),
             num(check["threshold"], "g", "×")]
            if check is not None
            else ["–"] * 5  # cleared because the soak ended: no evaluation to show
        )  # fmt: skip
        rows.append(
            [_clock(alert["at_s"]), alert["slo"], _tag(alert["severity"]), _tag(alert["event"]),
             *numbers]
        )  # fmt: skip
    explained = (
        "Each row shows the check that explains it best: a firing one first, then the hottest."
    )
    return table([*headers, "short window", "short burn", "fires above"], rows) + note(explained)


def _burn_charts(soak: SoakDoc, scale: float) -> list[str]:
    history = soak["burn_history"]
    slos = dict.fromkeys(slo for h in history for slo in h["burn"])
    if not slos:
        return [note("No burn rates were recorded during the soak, so there is no chart of them.")]
    charts = []
    for i, slo in enumerate(slos):
        rows = [(h["t"] / scale, h["burn"].get(slo, {})) for h in history]
        figure, values = go.Figure(), []
        windows = soak["burn_windows"].get(slo, {})
        for window in sorted(windows, key=windows.__getitem__):  # the shortest first
            points = [(t, burns.get(window)) for t, burns in rows]
            values += [v for _, v in points if v is not None]
            _trace(figure, points, f"over {window}")
        if not values:
            charts.append(note(f"Burn rates of {slo}: no evaluation had data."))
            continue
        limits: dict[float, list[str]] = {}  # each page threshold, and the windows it applies to
        for a in soak["policies"].get(slo, []):
            if a["severity"] == "page":
                limits.setdefault(a["burn"], []).append(f"{a['long_s']:g}/{a['short_s']:g} s")
        ends = (rows[0][0], rows[-1][0])
        for limit, pairs in sorted(limits.items(), reverse=True):
            name = f"page above {limit:g}× ({', '.join(pairs)})"
            _trace(figure, [(ends[0], limit), (ends[1], limit)], name, line=LIMIT, hoverinfo="skip")
        for start, end in _firing(soak["firing"], slo, ends[1] * scale):
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


def _firing(firing: list[FiringDoc], slo: str, end_s: float) -> list[tuple[float, float]]:
    """When ``slo``'s page fired, in seconds into the soak; one still firing ends at ``end_s``."""
    return [
        (f["start_s"], f["end_s"] if f["end_s"] is not None else max(f["start_s"], end_s))
        for f in firing
        if f["slo"] == slo and f["severity"] == "page"
    ]


def _resource_charts(soak: SoakDoc, scale: float) -> list[str]:
    series = soak["resources"]["series"] if soak["resources"] else {}
    findings = [f for f in soak["findings"] if f["series"] is None]  # the endpoints' p99 drift
    judged = {f["series"]: f for f in soak["findings"] if f["series"] is not None}
    charts = [] if series else [note("No resource was sampled during the soak.")]
    for i, (key, raw) in enumerate(series.items()):
        what = raw["what"]
        caption = (
            _finding(judged[key])
            if key in judged
            else f"{_tag('not judged')} {escape(f'No trend was fitted to {what}.')}"
        )
        if skipped := raw["skipped"]:
            caption += escape(f" ({skipped:g} samples had no data.)")
        xy: Points = [
            (t / scale, v / raw["scale"]) for t, v in zip(raw["t_s"], raw["values"], strict=True)
        ]
        figure = go.Figure()
        _trace(figure, xy, what)
        chart = _figure(figure, f"resource-{i}", what, raw["unit"], scale, 260) if xy else ""
        charts.append(CARD.format(caption, chart or note(f"{what}: no samples were recorded.")))
    if findings:
        items = "".join(f"<li>{_finding(f)}</li>" for f in findings)
        charts.append(f'<div class="chart" style="grid-column: 1 / -1"><ul>{items}</ul></div>')
    return charts


def _trace(figure: go.Figure, points: Points, name: str, **style: object) -> None:
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


def _pages(pages: list[DeliveryDoc]) -> str:
    if not pages:
        return note("No page or change event was sent (paging off, or nothing to send).")
    rows = [
        [p["kind"], p["dedup_key"] or "–",
         _tag("sent" if p["ok"] else "failed", "pass" if p["ok"] else "fail"),
         num(p["attempts"], "d"),  # the detail may be long: it wraps
         Markup(WRAP.format(escape(p["detail"])))]
        for p in pages
    ]  # fmt: skip
    return table(["event", "dedup key", "delivered", "HTTP attempts", "detail"], rows)


def _coverage(coverage: CoverageDoc | None) -> str:
    if coverage is None or not (evaluations := coverage["evaluations"]):
        return note("No burn-rate evaluation fell after the warm-up: coverage was not measured.")
    rows = []
    for slo, watched in coverage["watched"].items():
        count = coverage["with_data"][slo]
        tag = _tag("watched", "pass") if watched else _tag("too little data", "no_data")
        rows.append([slo, num(count, ",.0f"), num(count / evaluations, ".0%"), tag])
    head = f'<p class="meta">Of {evaluations:,.0f} burn-rate evaluations after the warm-up, '
    head += (
        "those with data in every page-level window "
        f"(at least {num(coverage['min_share'], '.0%')} needed).</p>"
    )
    return head + table(["SLO", "with data", "share", "status"], rows)


def _problems(problems: list[str]) -> str:
    if not problems:
        return note("The soak monitor reported no problems.")
    return "<ul>" + "".join(f"<li>{escape(p)}</li>" for p in problems) + "</ul>"


def _tag(text: str, tone: str | None = None) -> Markup:
    return badge(text, tone or TONES.get(text, text))


def _finding(finding: FindingDoc) -> str:
    return f"{_tag(finding['status'])} {escape(finding['sentence'])}"


def _clock(seconds: float) -> str:  # time into the soak as h:mm:ss
    s = max(0, round(seconds))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"
