"""Relative criteria: each endpoint's per-window samples against the baseline's. Pure.

A criterion is a metric with the change it tolerates: ``p99_ms`` may rise 10 %, ``throughput``
may fall 5 %. Each endpoint present in both runs is judged with ``statistics.compare``.
"""

from __future__ import annotations

from dataclasses import replace

from harness.gate.comparable import plan_comparisons
from harness.gate.statistics import Comparison, compare
from harness.values.criteria import Direction, RelativeCriterion
from harness.values.run_result import percentile_label
from harness.values.samples import WINDOW_PERCENTILES, PerWindowView
from harness.values.status import Status
from harness.values.verdict import Comparisons, CriterionResult

__all__ = ["DEFAULT_CRITERIA", "judge_relative"]

LABELS = {key: percentile_label(key) for key in WINDOW_PERCENTILES} | {
    "error_ratio": "error ratio",
    "throughput": "throughput",
}


# Without gate.criteria, --baseline judges these; key: any regression fails the run. p50 joined
# p99 with #13: p99 is judged only where windows hold ≥ 1,000 requests (comparable.py), which
# the shipped ci scenario's endpoints do not, and latency must not go unjudged there.
DEFAULT_CRITERIA = (
    RelativeCriterion("p50_ms", 10.0, Direction.HIGHER_IS_WORSE, key=True),
    RelativeCriterion("p99_ms", 10.0, Direction.HIGHER_IS_WORSE, key=True),
    RelativeCriterion("throughput", 5.0, Direction.LOWER_IS_WORSE, key=True),
)


def judge_relative(
    criteria: tuple[RelativeCriterion, ...],
    baseline: PerWindowView,
    current: PerWindowView,
    baseline_name: str,
) -> Comparisons:
    """Each judgeable (criterion, endpoint) of this run against the saved baseline's windows, at
    the run-level confidence; the rest named with why (``comparable.py``)."""
    planned = plan_comparisons(criteria, baseline, current, sides=("baseline", "current"))
    results: list[CriterionResult] = []
    detectable: list[tuple[str, float]] = []
    for criterion, endpoint, confidence in planned.judged:
        before = baseline[endpoint].get(criterion.metric, [])
        after = current[endpoint].get(criterion.metric, [])
        outcome = compare(before, after, criterion.tolerance_pct, criterion.direction, confidence)
        loose = criterion.warning_tolerance_pct
        if outcome.judgement in (Status.WARN, Status.FAIL) and loose is not None:
            # Beyond the pass tolerance: within the warning tolerance it warns, else fails.
            looser = compare(before, after, loose, criterion.direction, confidence)
            judgement = Status.FAIL if looser.judgement is Status.FAIL else Status.WARN
            outcome = replace(outcome, judgement=judgement)
        judged = _result(criterion, endpoint, outcome, baseline_name)
        results.append(replace(judged, weight=criterion.weight, key=criterion.key))
        if outcome.ci_low_pct is not None and outcome.ci_high_pct is not None:
            width = outcome.ci_high_pct - outcome.ci_low_pct
            detectable.append((judged.name, criterion.tolerance_pct + width))
    return Comparisons(tuple(results), planned.unjudged, tuple(detectable), planned.confidence)


def _result(
    criterion: RelativeCriterion, endpoint: str, outcome: Comparison, baseline_name: str
) -> CriterionResult:
    label = LABELS.get(criterion.metric, criterion.metric)
    name = f"{label} of {endpoint} vs baseline"
    sign = "+" if criterion.direction is Direction.HIGHER_IS_WORSE else "-"
    limit = f"{sign}{criterion.tolerance_pct:g}%"
    if criterion.warning_tolerance_pct is not None:
        limit += f" (warning {sign}{criterion.warning_tolerance_pct:g}%)"
    if outcome.judgement is Status.INCONCLUSIVE or outcome.shift_pct is None:
        return CriterionResult(
            name, None, criterion.tolerance_pct, None, f"{name}: {outcome.detail}"
        )
    assert outcome.ci_low_pct is not None and outcome.ci_high_pct is not None
    verb = "rose" if outcome.shift_pct >= 0 else "fell"
    sentence = (
        f"{label} of {endpoint} {verb} {abs(outcome.shift_pct):.0f} % (95 % CI {outcome.ci_low_pct:+.0f} to "
        f"{outcome.ci_high_pct:+.0f} %) against baseline `{baseline_name}`; tolerance {limit}"
    )
    return CriterionResult(
        name=name,
        observed=outcome.current_median,
        threshold=criterion.tolerance_pct,
        passed=outcome.judgement is not Status.FAIL,
        detail=sentence if outcome.judgement is not Status.PASS else "",
        warn=outcome.judgement is Status.WARN,
        baseline=outcome.baseline_median,
        effect_pct=outcome.shift_pct,
        ci_pct=(outcome.ci_low_pct, outcome.ci_high_pct),
        p_value=outcome.p_value,
    )
