"""An SLO's burn rate as one PromQL expression, and as a series over a run.

Burn rate = error ratio ÷ error budget: 1 spends the budget exactly over the SLO's own window.
The report charts it per 5 s window; soak mode evaluates it over the multi-window pairs of a
burn-rate policy.
"""

from __future__ import annotations

from harness.prometheus_api import PrometheusAPI, QueryError
from harness.slo.rules import error_ratio_expr
from harness.values.run_result import LoadWindow
from harness.values.samples import WINDOW_S, PerWindow
from harness.values.slo import SLO

__all__ = ["burn_rate_query", "burn_series"]


def burn_rate_query(slo: SLO, window: str) -> str:
    """The burn rate over ``window``: the same error ratio the generated recording rules use."""
    return f"({error_ratio_expr(slo, window)}) / {slo.error_budget:.12g}"


def burn_series(
    api: PrometheusAPI, slos: tuple[SLO, ...], window: LoadWindow, step_s: float = WINDOW_S
) -> PerWindow:
    """Each SLO's burn rate per ``step_s`` window of the run, for charts: one entry per window,
    ``None`` where it had no data; an empty list when the SLO's query failed."""
    series: PerWindow = {}
    start = window.start + step_s
    if window.end < start:
        return series
    for slo in slos:
        try:
            values = api.range_values(
                burn_rate_query(slo, f"{step_s:g}s"), start, window.end, step_s
            )
        except QueryError:
            values = []  # the verdict already reports the SLO's query problems
        series[slo.name] = {"burn_rate": values}
    return series
