"""Pure SLO evaluation: what Prometheus returned over a window ─► SLI, status, burn rate, budget.

Missing data is never success: no series, NaN, Inf or fewer events than the minimum is ``no_data``
— for raw ratios too, whose events are counted by ``SLO.count_query``.
"""

from __future__ import annotations

import math

from harness.slo.measure import SLIMeasurement
from harness.values.client_metrics import CLIENT_REQUESTS_TOTAL
from harness.values.slo import EVENTS_ANNOTATION, SLO
from harness.values.verdict import SLOEvaluation, SLOStatus

# A raw ratio judged on the load generator's requests says so: they may be more than its events.
CLIENT_EVENTS = "raw ratio: events are the load generator's requests in the window"

__all__ = ["burn_rate", "evaluate_slo", "no_data"]


def evaluate_slo(slo: SLO, measured: SLIMeasurement, min_events: int) -> SLOEvaluation:
    if measured.error:
        return no_data(slo, measured.error)
    total = measured.total
    if total is None:
        return no_data(slo, _no_count(slo))
    # Sloth-style queries give events per second; the guard counts events.
    events = total * measured.window_s if slo.total_is_rate else total
    if events < min_events:
        return no_data(
            slo,
            f"not enough events: {events:.0f} in the window, at least {min_events} are needed",
            events,
        )
    if slo.raw_query is not None:
        if measured.raw is None:
            return no_data(slo, "the raw ratio query returned no data over the window", events)
        sli = 1.0 - measured.raw if slo.raw_is_failure else measured.raw
    else:
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
        detail=_with_rewrites(
            slo, CLIENT_EVENTS if slo.raw_query is not None and slo.events_query is None else ""
        ),
    )


def _with_rewrites(slo: SLO, detail: str) -> str:
    """``detail``, then what loadgate rewrote in the SLO's queries: a number measured by a query
    the user did not write must say so wherever it is shown."""
    return "; ".join(part for part in (detail, *slo.rewritten) if part)


def _no_count(slo: SLO) -> str:
    """Why the SLO's events could not be counted, and how the file can fix it."""
    if slo.raw_query is None:
        return "the total query returned no data over the window"
    if slo.events_query is not None:
        return f"the events query ({EVENTS_ANNOTATION}) returned no data over the window"
    return (
        "a raw ratio needs an event count for the minimum-events guard, and the load generator's "
        f"request counter ({CLIENT_REQUESTS_TOTAL}) had no data over the window — does "
        f"Prometheus scrape the load generator? An OpenSLO SLO can name its own count with the "
        f"{EVENTS_ANNOTATION} annotation"
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
        detail=_with_rewrites(slo, why),
    )
