"""Pure SLO evaluation: counts over a window ─► SLI, status, burn rate. No I/O.

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
    total = measured.total
    if total is None:
        return no_data(slo, "the total query returned no data over the window")
    if total < min_events:
        return no_data(
            slo,
            f"not enough events: {total:.0f} in the window, at least {min_events} are needed",
            total,
        )
    if slo.good_query is not None:
        if measured.good is None:
            return no_data(slo, "the good query returned no data over the window", total)
        sli = measured.good / total
    else:
        if measured.bad is None:
            return no_data(slo, "the bad query returned no data over the window", total)
        sli = 1.0 - measured.bad / total
    if not math.isfinite(sli):
        return no_data(slo, "the SLI is not a number", total)
    # Counter extrapolation at the window's edges can nudge a perfect ratio just past 1.
    sli = min(max(sli, 0.0), 1.0)
    status = SLOStatus.MET if sli >= slo.objective else SLOStatus.BREACHED
    return SLOEvaluation(
        name=slo.name,
        status=status,
        objective=slo.objective,
        sli=sli,
        events=total,
        burn_rate=burn_rate(sli, slo.objective),
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
