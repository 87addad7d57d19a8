"""Duet criteria: each endpoint's windows on the candidate side against the same windows on the
baseline side, measured at the same time under the same traffic. Pure.

Paired windows (``paired.py``): window i of one side against window i of the other, so whatever
the machine did in that window it did to both. Which criteria are judged, and at what confidence,
``comparable.py`` decides, as for a saved baseline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from harness.gate.comparable import label, plan_comparisons
from harness.gate.paired import PairedComparison, compare_log_ratios, compare_paired
from harness.values.criteria import Direction, RelativeCriterion
from harness.values.run_result import PercentileKey
from harness.values.samples import PerWindowView
from harness.values.status import Status
from harness.values.verdict import Comparisons, CriterionResult

__all__ = ["DUET_DEFAULT_CRITERIA", "judge_duet"]

# Without gate.criteria, a duet judges latency where its windows allow. Throughput is not judged:
# both sides get the same requests by construction (pairs in lockstep, alternating arrivals).
MEDIAN = "p50_ms"  # judged by paired requests where a closed-model duet has them
# Tolerances from calibration (docs/performance.md): the paired-request median measures a shift
# to ±1–5 % in a 45 s ci run, so +10 % is judged firmly; a window's p95 ratio only to about ±9 %,
# so a tail tolerance of +10 % warned on unchanged services, +25 % does not.
_DEFAULT_TOLERANCES: dict[PercentileKey, float] = {"p50_ms": 10.0, "p95_ms": 25.0, "p99_ms": 25.0}
DUET_DEFAULT_CRITERIA = tuple(
    RelativeCriterion(key, tolerance, Direction.HIGHER_IS_WORSE, key=True)
    for key, tolerance in _DEFAULT_TOLERANCES.items()
)


def judge_duet(
    criteria: tuple[RelativeCriterion, ...],
    baseline: PerWindowView,
    candidate: PerWindowView,
    paired: Mapping[str, Sequence[float | None]] | None = None,
) -> Comparisons:
    """``paired``: a closed-model duet's paired requests (endpoint → each window's median
    log-ratio); where given, a p50 criterion judges them — the shift request by request, with the
    machine's noise cancelled in each pair — instead of the ratio of the two sides' p50s."""
    planned = plan_comparisons(criteria, baseline, candidate)
    results: list[CriterionResult] = []
    detectable: list[tuple[str, float]] = []
    for criterion, endpoint in planned.judged:
        ratios = (paired or {}).get(endpoint) if criterion.metric == MEDIAN else None
        if ratios is not None:
            outcome = compare_log_ratios(
                ratios,
                criterion.tolerance_pct,
                criterion.direction,
                criterion.warning_tolerance_pct,
                planned.confidence,
            )
        else:
            outcome = compare_paired(
                baseline[endpoint][criterion.metric],
                candidate[endpoint][criterion.metric],
                criterion.tolerance_pct,
                criterion.direction,
                criterion.warning_tolerance_pct,
                planned.confidence,
            )
        result = _result(criterion, endpoint, outcome, planned.confidence)
        results.append(replace(result, weight=criterion.weight, key=criterion.key))
        if outcome.ci_pct is not None:
            width = outcome.ci_pct[1] - outcome.ci_pct[0]
            detectable.append((result.name, criterion.tolerance_pct + width))
    return Comparisons(tuple(results), planned.unjudged, tuple(detectable), planned.confidence)


def _result(
    criterion: RelativeCriterion, endpoint: str, outcome: PairedComparison, confidence: float
) -> CriterionResult:
    shown = label(criterion.metric)
    name = f"{shown} of {endpoint}, candidate vs baseline"
    if outcome.status is Status.NO_DATA or outcome.estimate_pct is None or outcome.ci_pct is None:
        return CriterionResult(
            name, None, criterion.tolerance_pct, None, f"{name}: {outcome.detail}"
        )
    low, high = outcome.ci_pct
    verb = "rose" if outcome.estimate_pct >= 0 else "fell"
    sign = "+" if criterion.direction is Direction.HIGHER_IS_WORSE else "-"
    sentence = (
        f"{shown} of {endpoint} {verb} {abs(outcome.estimate_pct):.1f} % on the candidate "
        f"({100 * confidence:.2f} % CI {low:+.1f} to {high:+.1f} %, {outcome.n} paired windows) "
        f"against the baseline run beside it; tolerance {sign}{criterion.tolerance_pct:g}%"
    )
    return CriterionResult(
        name=name,
        observed=outcome.estimate_pct,
        threshold=criterion.tolerance_pct,
        passed=outcome.status is not Status.FAIL,
        detail=sentence if outcome.status is not Status.PASS else "",
        warn=outcome.status is Status.WARN,
        effect_pct=outcome.estimate_pct,
        ci_pct=outcome.ci_pct,
        p_value=outcome.p_value,
    )
