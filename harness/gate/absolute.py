"""Absolute criteria: numbers of this run against fixed bounds (``p99 < 300ms``). Pure.

Each criterion has a pass bound and, optionally, a looser warning bound (Keptn's objectives):
inside the pass bound → pass; inside the warning bound only → warn; beyond both → fail.
Latency, error ratio and throughput come from the load generator's exact, in-window numbers;
``burn_rate`` and ``slos_met`` from the SLO evaluations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from harness.values.criteria import (
    ALL_ENDPOINTS,
    EACH_ENDPOINT,
    LATENCY_METRICS,
    AbsoluteCriterion,
    Bound,
    format_value,
)
from harness.values.run_result import ClientStats, EndpointStats, LoadWindow
from harness.values.samples import endpoint_key
from harness.values.verdict import CriterionResult, SLOEvaluation, SLOStatus

__all__ = [
    "judge_absolute",
    "max_burn_rate",
]


def max_burn_rate(bound: float) -> AbsoluteCriterion:
    """``gate.max_burn_rate``: no SLO may burn faster; a hard bound (key), not points in a score.

    A gate may be stricter than the SLOs (e.g. ≤ 0.5×); it is the same check as a criterion
    ``{metric: burn_rate, pass: "<= 0.5", key: true}``.
    """
    return AbsoluteCriterion("burn_rate", Bound("<=", bound), key=True)


def judge_absolute(
    criteria: Sequence[AbsoluteCriterion],
    client: ClientStats | None,
    evaluations: Sequence[SLOEvaluation],
    window: LoadWindow | None,
) -> list[CriterionResult]:
    results: list[CriterionResult] = []
    for criterion in criteria:
        judged = _judge_criterion(criterion, client, evaluations, window)
        results += [replace(r, weight=criterion.weight, key=criterion.key) for r in judged]
    return results


def _judge_criterion(
    criterion: AbsoluteCriterion,
    client: ClientStats | None,
    evaluations: Sequence[SLOEvaluation],
    window: LoadWindow | None,
) -> list[CriterionResult]:
    if criterion.metric == "slos_met":
        return _slos_met(criterion, evaluations)
    if criterion.metric == "burn_rate":
        return [
            _judge(criterion, f"burn rate of {e.name}", e.burn_rate, "×")
            for e in _chosen_slos(criterion, evaluations)
        ]
    unit = _unit(criterion.metric)
    return [
        _judge(
            criterion,
            f"{_label(criterion.metric)} of {where}",
            _observe(criterion.metric, stats, window),
            unit,
        )
        for where, stats in _chosen_endpoints(criterion, client)
    ]


def _chosen_endpoints(
    criterion: AbsoluteCriterion, client: ClientStats | None
) -> list[tuple[str, EndpointStats | None]]:
    """(how the report names it, its numbers); numbers are None for an endpoint with no data."""
    if criterion.endpoint == ALL_ENDPOINTS:
        return [("all requests", client.total if client else None)]
    endpoints = client.endpoints if client else ()
    if criterion.endpoint == EACH_ENDPOINT:
        return [(_key(e), e) for e in endpoints] or [("each endpoint", None)]
    chosen = [e for e in endpoints if _key(e) == criterion.endpoint]
    return [(criterion.endpoint, chosen[0] if chosen else None)]


def _chosen_slos(
    criterion: AbsoluteCriterion, evaluations: Sequence[SLOEvaluation]
) -> list[SLOEvaluation]:
    return [e for e in evaluations if criterion.slo in (None, e.name)]


def _slos_met(
    criterion: AbsoluteCriterion, evaluations: Sequence[SLOEvaluation]
) -> list[CriterionResult]:
    results = []
    for evaluation in _chosen_slos(criterion, evaluations):
        met = {SLOStatus.MET: True, SLOStatus.BREACHED: False}.get(evaluation.status)
        detail = (
            ""
            if met
            else f"SLO '{evaluation.name}' "
            + ("has no data" if met is None else f"was breached (SLI {evaluation.sli:.3%})")
        )
        results.append(
            CriterionResult(
                name=f"SLO {evaluation.name} met",
                observed=evaluation.sli,
                threshold=evaluation.objective,
                passed=met,
                detail=detail,
            )
        )
    return results


def _observe(metric: str, stats: EndpointStats | None, window: LoadWindow | None) -> float | None:
    if stats is None or stats.requests == 0:
        return None
    if metric in LATENCY_METRICS:
        value: float | None = getattr(stats, metric)
        return value
    if metric == "error_ratio":
        return stats.failures / stats.requests
    if metric == "throughput":
        return stats.requests / window.seconds if window and window.seconds > 0 else None
    raise ValueError(f"unknown metric {metric!r}")


def _judge(
    criterion: AbsoluteCriterion, name: str, observed: float | None, unit: str
) -> CriterionResult:
    assert criterion.pass_bound is not None
    bound = criterion.pass_bound
    if observed is None:
        return CriterionResult(name, None, bound.value, None, f"{name}: no data")
    seen = format_value(observed, unit)
    if bound.holds(observed):
        return CriterionResult(name, observed, bound.value, True)
    warning = criterion.warning_bound
    if warning is not None and warning.holds(observed):
        detail = f"{name} is {seen}: not {bound.text(unit)}, but within the warning bound {warning.text(unit)}"
        return CriterionResult(name, observed, bound.value, True, detail, warn=True)
    detail = f"{name} is {seen}; the gate requires {bound.text(unit)}"
    return CriterionResult(name, observed, bound.value, False, detail)


def _key(stats: EndpointStats) -> str:
    return endpoint_key(stats.method, stats.name)


def _label(metric: str) -> str:
    return {"error_ratio": "error ratio", "throughput": "throughput"}.get(
        metric, metric.removesuffix("_ms").replace("p999", "p99.9")
    )


def _unit(metric: str) -> str:
    return {"error_ratio": "%", "throughput": "/s"}.get(metric, "ms")
