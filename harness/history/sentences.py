"""How the history's findings read, the same in the terminal, markdown, the trend report and the
gate's reasons: a series' numbers, its sparkline, each change point on one line naming its first
run, and what could not be looked at (creep tells itself: changepoints.py's ``Creep.sentence``).
Pure."""

from __future__ import annotations

from collections.abc import Sequence

from harness.history.series import direction_of
from harness.history.trends import SeriesTrend, TrafficGroup
from harness.values.criteria import Direction
from harness.values.history import ChangePoint

__all__ = [
    "SERIES_HEADERS",
    "SPARKS",
    "change_point_line",
    "findings_lines",
    "higher_is_worse",
    "metric_value",
    "series_cells",
    "sparkline",
    "traffic_title",
]

SPARKS = "▁▂▃▄▅▆▇█"
SPARK_WIDTH = 32  # the newest runs a sparkline shows; older ones are elided with "…"
SERIES_HEADERS = ("subject", "metric", "runs", "trend (oldest → newest)", "latest", "vs first")


def higher_is_worse(metric: str) -> bool:
    """Latency, error ratio, burn rate regress upwards; throughput and an SLI downwards (the one
    rule, series.direction_of, that the detector uses too)."""
    return direction_of(metric) is Direction.HIGHER_IS_WORSE


def metric_value(metric: str, value: float) -> str:
    """A value in its metric's unit, e.g. ``12.3 ms``, ``0.25 %``, ``210 /s``, ``1.4×``."""
    if metric.endswith("_ms"):
        return f"{value:.3g} ms" if value < 100 else f"{value:,.0f} ms"
    if metric in ("error_ratio", "sli"):
        return f"{value * 100:.3g} %" if metric == "error_ratio" else f"{value * 100:.3f} %"
    if metric == "throughput":
        return f"{value:,.1f} /s"
    return f"{value:.3g}×"  # burn_rate


def sparkline(values: Sequence[float], width: int = SPARK_WIDTH) -> str:
    """The values as block characters, newest last, scaled between their own minimum and maximum
    (a flat series is a flat line); beyond ``width`` values the oldest are elided with "…"."""
    shown = list(values[-width:])
    if not shown:
        return ""
    low, high = min(shown), max(shown)
    span = high - low
    top = len(SPARKS) - 1
    marks = "".join(
        SPARKS[round((v - low) / span * top)] if span > 0 else SPARKS[top // 2] for v in shown
    )
    return ("…" if len(values) > width else "") + marks


def change_point_line(point: ChangePoint) -> str:
    """One line naming the change's first run: "p99_ms of GET /x: +15.2 % (95 % CI +9.1 to
    +21.0 %) from run R (commit abc1234) on, 12.1 ms → 13.9 ms, confidence 99.0 %"."""
    low, high = point.interval_pct
    commit = f" (commit {point.commit[:12]})" if point.commit else ""
    metric = point.key.metric
    return (
        f"{point.key.label()}: {point.change_pct:+.1f} % (95 % CI {low:+.1f} to {high:+.1f} %) "
        f"from run {point.run_id}{commit} on, {metric_value(metric, point.before)} → "
        f"{metric_value(metric, point.after)}, confidence {_confidence(point.confidence)}"
    )


def traffic_title(group: TrafficGroup) -> str:
    """A traffic group's heading: "ci · traffic 3fa2b1c09d12 · 60 runs, 2026-10-01 to 2026-11-30"."""
    runs = group.runs
    span = f", {runs[0].started_at[:10]} to {runs[-1].started_at[:10]}" if runs else ""
    duet = " (duets: the candidate's side)" if group.duet else ""
    return f"{group.scenario} · traffic {group.fingerprint[:12]}{duet} · {len(runs)} run{_s(len(runs))}{span}"


def series_cells(series: SeriesTrend) -> tuple[str, str, str, str, str, str]:
    """A series as a table row (``SERIES_HEADERS``): subject, metric, runs, its sparkline, the
    newest value, and its change from the first."""
    values, change = series.values, series.change_pct
    return (
        series.key.subject,
        series.key.metric,
        str(len(values)),
        sparkline(values),
        metric_value(series.key.metric, values[-1]),
        "–" if change is None else f"{change:+.1f} %",
    )


def findings_lines(group: TrafficGroup, min_runs: int) -> list[tuple[str, str]]:
    """What the detector found in a group, as (kind, line): runs left out, each change point
    (oldest first, naming its first run), each creep — or why there is none."""
    lines: list[tuple[str, str]] = []
    if group.left_out:
        lines.append(
            (
                "note",
                f"{group.left_out} inconclusive run{_s(group.left_out)} left out "
                "(their numbers are not a level)",
            )
        )
    points = sorted(
        (p for s in group.series for p in s.change_points), key=lambda p: (p.index, p.key)
    )
    lines += [("change point", change_point_line(point)) for point in points]
    lines += [("creep", s.creep) for s in group.series if s.creep]
    if points or any(s.creep for s in group.series):
        return lines
    if not group.series:
        lines.append(("note", "no series: these runs measured nothing the filters keep"))
    elif not any(s.detected for s in group.series):
        lines.append(("note", f"too few runs for the detector: it needs ≥ {min_runs} a series"))
    else:
        lines.append(("note", "no change point, no creep"))
    return lines


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def _confidence(confidence: float) -> str:
    """Never a rounded-up "100 %": the detector is never certain."""
    return "> 99.9 %" if confidence > 0.999 else f"{confidence * 100:.1f} %"
