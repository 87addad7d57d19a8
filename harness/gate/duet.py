"""Duet criteria: each endpoint's windows on the candidate side against the same windows on the
baseline side, measured at the same time under the same traffic. Pure.

Three choices make a red duet gate mean a regression:

* **Paired windows** (``paired.py``): window i of one side against window i of the other, so
  whatever the machine did in that window it did to both.
* **The run's false-alarm rate is controlled, not each comparison's**: with m comparisons, each
  interval is taken at 1 − α/m (Bonferroni), so an unchanged service fails any of them with at
  most α = 5 % over the whole run, however many endpoints the scenario has.
* **A percentile is judged only where its windows hold enough requests**: a p99 of 120 requests
  is their largest value or so — noise, not a measurement. A pXX needs at least 10 requests above
  it in each window, 10 / (1 − q): 20 for p50, 200 for p95, 1,000 for p99. Thinner criteria are
  not judged, and the run says so (``unjudged``) instead of judging noise.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import replace

from harness.gate.paired import CONFIDENCE, PairedComparison, compare_paired
from harness.values.criteria import Direction, RelativeCriterion
from harness.values.run_result import PERCENTILE_RANKS, PercentileKey, percentile_label
from harness.values.samples import WINDOW_S, PerWindowView, is_number
from harness.values.status import Status
from harness.values.verdict import CriterionResult, DuetJudgement

__all__ = [
    "DUET_DEFAULT_CRITERIA",
    "judge_duet",
    "requests_needed",
]

RUN_ALPHA = 1.0 - CONFIDENCE
# Without gate.criteria, a duet judges latency where its windows allow. Throughput is not judged:
# both sides get the same requests by construction (pairs in lockstep, alternating arrivals).
_DEFAULT_PERCENTILES: tuple[PercentileKey, ...] = ("p50_ms", "p95_ms", "p99_ms")
DUET_DEFAULT_CRITERIA = tuple(
    RelativeCriterion(key, 10.0, Direction.HIGHER_IS_WORSE, key=True)
    for key in _DEFAULT_PERCENTILES
)


def requests_needed(metric: str) -> int:
    """Requests a window must hold for ``metric`` to be judged (0: any)."""
    rank = PERCENTILE_RANKS.get(metric)  # type: ignore[call-overload]
    return 0 if rank is None else round(10 / (1 - rank / 100))


def judge_duet(
    criteria: tuple[RelativeCriterion, ...],
    baseline: PerWindowView,
    candidate: PerWindowView,
) -> DuetJudgement:
    comparisons: list[tuple[RelativeCriterion, str]] = []
    unjudged: list[str] = []
    for criterion in criteria:
        endpoints = (
            [criterion.endpoint] if criterion.endpoint else sorted(set(baseline) | set(candidate))
        )
        for endpoint in endpoints:
            reason = _why_not_judged(criterion.metric, endpoint, baseline, candidate)
            if reason:
                unjudged.append(f"{_label(criterion.metric)} of {endpoint}: {reason}")
            else:
                comparisons.append((criterion, endpoint))
    confidence = 1.0 - RUN_ALPHA / max(1, len(comparisons))
    results: list[CriterionResult] = []
    detectable: list[tuple[str, float]] = []
    for criterion, endpoint in comparisons:
        outcome = compare_paired(
            baseline[endpoint][criterion.metric],
            candidate[endpoint][criterion.metric],
            criterion.tolerance_pct,
            criterion.direction,
            criterion.warning_tolerance_pct,
            confidence,
        )
        result = _result(criterion, endpoint, outcome, confidence)
        results.append(replace(result, weight=criterion.weight, key=criterion.key))
        if outcome.ci_pct is not None:
            width = outcome.ci_pct[1] - outcome.ci_pct[0]
            detectable.append((result.name, criterion.tolerance_pct + width))
    return DuetJudgement(tuple(results), tuple(unjudged), tuple(detectable), confidence)


def _why_not_judged(
    metric: str, endpoint: str, baseline: PerWindowView, candidate: PerWindowView
) -> str:
    if endpoint not in candidate or endpoint not in baseline:
        side = "baseline" if endpoint not in baseline else "candidate"
        return f"no requests on the {side} side (the two services differ in their endpoints?)"
    needed = requests_needed(metric)
    if not needed:
        return ""
    per_window = min(_median_requests(baseline[endpoint]), _median_requests(candidate[endpoint]))
    if per_window < needed:
        return (
            f"its windows hold about {per_window:.0f} requests a side; a {_label(metric)} needs "
            f"≥ {needed} per {WINDOW_S:g} s window to be more than noise (more users or a higher "
            "arrival rate would make it judgeable)"
        )
    return ""


def _median_requests(metrics: Mapping[str, Sequence[float | None]]) -> float:
    throughput = metrics.get("throughput", [])
    counts = [float(v) * WINDOW_S for v in throughput if v is not None and is_number(v)]
    return statistics.median(counts) if counts else 0.0


def _result(
    criterion: RelativeCriterion, endpoint: str, outcome: PairedComparison, confidence: float
) -> CriterionResult:
    label = _label(criterion.metric)
    name = f"{label} of {endpoint}, candidate vs baseline"
    if outcome.status is Status.NO_DATA or outcome.estimate_pct is None or outcome.ci_pct is None:
        return CriterionResult(
            name, None, criterion.tolerance_pct, None, f"{name}: {outcome.detail}"
        )
    low, high = outcome.ci_pct
    verb = "rose" if outcome.estimate_pct >= 0 else "fell"
    sign = "+" if criterion.direction is Direction.HIGHER_IS_WORSE else "-"
    sentence = (
        f"{label} of {endpoint} {verb} {abs(outcome.estimate_pct):.1f} % on the candidate "
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


def _label(metric: str) -> str:
    if metric in PERCENTILE_RANKS:
        return percentile_label(metric)
    return metric.replace("_", " ")
