"""Asking Prometheus for an SLO's event counts over a window (the I/O half of evaluation)."""

from __future__ import annotations

from dataclasses import dataclass

from harness.durations import promql_duration
from harness.errors import InputError, Problem
from harness.model import LoadWindow
from harness.prometheus_api import PrometheusAPI, QueryError
from harness.slo.model import SLO, render_query

__all__ = ["SLIMeasurement", "check_queries", "measure_slo"]


@dataclass(frozen=True)
class SLIMeasurement:
    """Raw counts over the window; ``None`` where Prometheus had no data."""

    good: float | None
    bad: float | None
    total: float | None
    error: str | None = None  # why the counts could not be read


def measure_slo(api: PrometheusAPI, slo: SLO, window: LoadWindow) -> SLIMeasurement:
    """Evaluate the SLO's queries over exactly ``window``: the range is the window, taken at its end."""
    rng = promql_duration(window.seconds)

    def count(query: str | None) -> float | None:
        return api.value(render_query(query, rng), at=window.end) if query else None

    try:
        return SLIMeasurement(
            good=count(slo.good_query), bad=count(slo.bad_query), total=count(slo.total_query)
        )
    except QueryError as exc:
        return SLIMeasurement(None, None, None, error=str(exc))


def check_queries(api: PrometheusAPI, slos: tuple[SLO, ...]) -> None:
    """Before any load: every SLO query must be PromQL that Prometheus accepts (else exit 2)."""
    problems = []
    for slo in slos:
        for role, query in (
            ("good", slo.good_query),
            ("bad", slo.bad_query),
            ("total", slo.total_query),
        ):
            if query is None:
                continue
            try:
                api.vector(render_query(query, "1m"))
            except QueryError as exc:
                problems.append(Problem(slo.source, f"slo {slo.name!r} → {role} query", str(exc)))
    if problems:
        raise InputError(problems)
