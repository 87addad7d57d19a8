"""Pure SLO evaluation: what Prometheus returned over a window ─► SLI, status, burn rate, budget.

Missing data is never success: no series, NaN, Inf or fewer events than the minimum is ``no_data``.
"""

from __future__ import annotations

import math

from harness.model import SLOEvaluation, SLOStatus
from harness.slo.measure import SLIMeasurement
from harness.slo.model import SLO

__all__ = ["burn_rate", "evaluate_slo", "no_data"]


def evaluate_slo(slo: SLO, measured: SLIMeasurement, min_events: int) -> SLOEvaluation:
    if measured.error:
        return no_data(slo, measured.error)
    if slo.raw_query is not None:
        if measured.raw is None:
            return no_data(slo, "the raw ratio query returned no data over the window")
        sli, events = (1.0 - measured.raw if slo.raw_is_failure else measured.raw), None
    else:
        total = measured.total
        if total is None:
            return no_data(slo, "the total query returned no data over the window")
        # Sloth-style queries give events per second; the guard counts events.
        events = total * measured.window_s if slo.total_is_rate else total
        if events < min_events:
            return no_data(
                slo,
                f"not enough events: {events:.0f} in the window, at least {min_events} are needed",
                events,
            )
        counted = measured.good if slo.good_query is not None else measured.bad
        if counted is None:
            role = "good" if slo.good_query is not None else "bad"
            return no_data(slo, f"the {role} query returned no data over the window", events)
        sli = counted / total if slo.good_query is not None else 1.0 - counted / total
    if not math.isfinite(sli):
        return no_data(slo, "the SLI is not a number", events)
    # Counter extrapolation at the window's edges can nudge a perfect ratio just past 1.
    sli = min(max(sli, 0.0), 1.0)
    burn = burn_rate(sli, slo.objective)
    return SLOEvaluation(
        name=slo.name,
        status=SLOStatus.MET if sli >= slo.objective else SLOStatus.BREACHED,
        objective=slo.objective,
        sli=sli,
        events=events,
        burn_rate=burn,
        budget_consumed=burn * measured.window_s / slo.time_window_s if measured.window_s else None,
        detail=""
        if events is not None
        else "raw ratio: the event count is unknown, no minimum-events guard",
    )


def burn_rate(sli: float, objective: float) -> float:
    """How fast the error budget burns: 1 spends exactly the budget over the SLO's window."""
    return (1.0 - sli) / (1.0 - objective)


def no_data(slo: SLO, why: str, events: float | None = None) -> SLOEvaluation:
    return SLOEvaluation(
        name=slo.name,
        status=SLOStatus.NO_DATA,
        objective=slo.objective,
        sli=None,
        events=events,
        burn_rate=None,
        detail=why,
    )
