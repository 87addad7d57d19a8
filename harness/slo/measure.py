"""Asking Prometheus for an SLO's numbers over a window (the I/O half of evaluation)."""

from __future__ import annotations

from dataclasses import dataclass

from harness.durations import promql_duration
from harness.errors import InputError, Problem
from harness.prometheus_api import PrometheusAPI, QueryError, SeveralSeriesError, several_series
from harness.slo.latency import boundary_problem, known_boundaries
from harness.values.run_result import LoadWindow
from harness.values.slo import SLO, render_query

__all__ = [
    "SLIMeasurement",
    "check_bucket_boundaries",
    "check_queries",
    "measure_slo",
    "raise_invalid",
]


@dataclass(frozen=True)
class SLIMeasurement:
    """What the SLO's queries returned over the window; ``None`` where Prometheus had no data."""

    good: float | None
    bad: float | None
    total: float | None  # the event count: the total, or a raw ratio's events (SLO.count_query)
    raw: float | None = None
    window_s: float = 0.0
    error: str | None = None  # why the numbers could not be read
    invalid: Problem | None = None  # the SLO file's mistake that made them unreadable


def measure_slo(api: PrometheusAPI, slo: SLO, window: LoadWindow) -> SLIMeasurement:
    """Evaluate the SLO's queries over exactly ``window``: the range is the window, taken at its end.

    A query returning several series is the file's mistake: ``invalid`` names it, for
    ``raise_invalid``; other query failures are only ``error`` (the SLO has no data).
    """
    rng = promql_duration(window.seconds)
    count_role = "total" if slo.raw_query is None else "events"
    queries = {
        "good": slo.good_query,
        "bad": slo.bad_query,
        count_role: slo.count_query,
        "raw": slo.raw_query,
    }
    numbers: dict[str, float | None] = {}
    for role, query in queries.items():
        try:
            numbers[role] = api.value(render_query(query, rng), at=window.end) if query else None
        except SeveralSeriesError as exc:
            field = f"slo {slo.name!r} → {role} query"
            invalid = Problem(slo.source, field, exc.problem, slo.line)
            return SLIMeasurement(None, None, None, None, window.seconds, str(exc), invalid)
        except QueryError as exc:
            return SLIMeasurement(None, None, None, None, window.seconds, str(exc))
    return SLIMeasurement(
        good=numbers["good"],
        bad=numbers["bad"],
        total=numbers[count_role],
        raw=numbers["raw"],
        window_s=window.seconds,
    )


def raise_invalid(measurements: list[SLIMeasurement]) -> None:
    """Exit 2 for every SLO whose file was wrong (e.g. a query missing ``sum``), all at once."""
    problems = [m.invalid for m in measurements if m.invalid is not None]
    if problems:
        raise InputError(problems)


def check_queries(api: PrometheusAPI, slos: tuple[SLO, ...]) -> None:
    """Before any load: every SLO query must be PromQL that Prometheus accepts, and must not
    already return several series (else exit 2). Series the load creates are checked after it."""
    problems = []
    for slo in slos:
        for role, query in slo.queries().items():
            field = f"slo {slo.name!r} → {role} query"
            rendered = render_query(query, "1m")
            try:
                several_series(rendered, api.vector(rendered))
            except SeveralSeriesError as exc:
                problems.append(Problem(slo.source, field, exc.problem, slo.line))
            except QueryError as exc:
                problems.append(Problem(slo.source, field, str(exc), slo.line))
    if problems:
        raise InputError(problems)


def check_bucket_boundaries(api: PrometheusAPI, slos: tuple[SLO, ...], at: float) -> None:
    """Latency thresholds must be bucket boundaries of the histogram as Prometheus has it (else exit 2).

    The load generator's own histogram is checked when the files are read; other histograms can
    only be checked once their series exist, that is after the load. No series yet: nothing to check
    (the SLO will have no data).
    """
    problems = []
    for slo in slos:
        threshold = slo.latency
        if threshold is None or known_boundaries(threshold.metric) is not None:
            continue
        selector = f"{threshold.metric}_bucket{{{threshold.matchers}}}"
        try:
            series = api.vector(f"count by (le) ({selector})", at=at)
        except QueryError as exc:
            problems.append(
                Problem(slo.source, f"slo {slo.name!r} → latency threshold", str(exc), slo.line)
            )
            continue
        bounds = [float(s["metric"]["le"]) for s in series if "le" in s.get("metric", {})]
        wrong = boundary_problem(threshold, bounds) if bounds else None
        if wrong:
            problems.append(
                Problem(slo.source, f"slo {slo.name!r} → latency threshold", wrong, slo.line)
            )
    if problems:
        raise InputError(problems)
