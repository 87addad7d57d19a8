"""Asking Prometheus for an SLO's numbers over a window (the I/O half of evaluation)."""

from __future__ import annotations

from dataclasses import dataclass

from harness.durations import promql_duration
from harness.errors import InputError, Problem
from harness.model import LoadWindow
from harness.prometheus_api import PrometheusAPI, QueryError
from harness.slo.latency import boundary_problem, known_boundaries
from harness.slo.model import SLO, render_query

__all__ = ["SLIMeasurement", "check_bucket_boundaries", "check_queries", "measure_slo"]


@dataclass(frozen=True)
class SLIMeasurement:
    """What the SLO's queries returned over the window; ``None`` where Prometheus had no data."""

    good: float | None
    bad: float | None
    total: float | None  # the event count: the total, or a raw ratio's events (SLO.count_query)
    raw: float | None = None
    window_s: float = 0.0
    error: str | None = None  # why the numbers could not be read


def measure_slo(api: PrometheusAPI, slo: SLO, window: LoadWindow) -> SLIMeasurement:
    """Evaluate the SLO's queries over exactly ``window``: the range is the window, taken at its end."""
    rng = promql_duration(window.seconds)

    def value(query: str | None) -> float | None:
        return api.value(render_query(query, rng), at=window.end) if query else None

    try:
        return SLIMeasurement(
            good=value(slo.good_query),
            bad=value(slo.bad_query),
            total=value(slo.count_query),
            raw=value(slo.raw_query),
            window_s=window.seconds,
        )
    except QueryError as exc:
        return SLIMeasurement(None, None, None, error=str(exc), window_s=window.seconds)


def check_queries(api: PrometheusAPI, slos: tuple[SLO, ...]) -> None:
    """Before any load: every SLO query must be PromQL that Prometheus accepts (else exit 2)."""
    problems = []
    for slo in slos:
        for role, query in slo.queries().items():
            try:
                api.vector(render_query(query, "1m"))
            except QueryError as exc:
                problems.append(
                    Problem(slo.source, f"slo {slo.name!r} → {role} query", str(exc), slo.line)
                )
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
