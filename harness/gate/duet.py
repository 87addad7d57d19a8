"""Duet criteria: each endpoint's windows on the candidate side against the same windows on the
baseline side, measured at the same time under the same traffic. Pure.

Paired windows (``paired.py``): window i of one side against window i of the other, so whatever
the machine did in that window it did to both. Which criteria are judged, and at what confidence,
``comparable.py`` decides, as for a saved baseline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from harness.gate.comparable import RUN_ALPHA, label, plan_comparisons
from harness.gate.paired import PairedComparison, compare_log_ratios, compare_paired
from harness.values.criteria import ALL_ENDPOINTS, EACH_ENDPOINT, Direction, RelativeCriterion
from harness.values.run_result import PercentileKey
from harness.values.samples import PerWindowView
from harness.values.status import Status
from harness.values.verdict import Comparisons, CriterionResult

__all__ = ["DUET_DEFAULT_CRITERIA", "judge_duet"]

# Without gate.criteria, a duet judges the median by its paired requests. Throughput is not
# judged: both sides get the same requests by construction (pairs in lockstep, alternating arrivals).
MEDIAN: PercentileKey = "p50_ms"  # judged by paired requests where a closed-model duet has them
# Chosen from calibration (docs/performance.md, benchmarks/gate_calibration.py) on the ci
# scenario's session traffic beside a busy neighbour, 45 s duets (9 windows):
# * Paired requests measure all requests' p50 shift to about ±2-3 % (at 1 - α/2), a 1-2 ms
#   endpoint's to ±10-20 % (at 1 - α/8). A slower service shows diluted at the client, whose own
#   time is not slowed: 20 % slower read +7 to +14 % on all requests' p50. On rounds 1-31: the
#   unchanged services' upper bound reached +3.2 % (95th percentile), the 20 % slower ones' lower
#   bound stayed above +4.6 % (5th): +4 % failed 31 of 31 slowed runs and warned on 1 of 31
#   unchanged ones, +5 % failed 30 of 31. Each endpoint's p50 may rise 30 % (at +25 %, 4 of 31
#   unchanged runs warned).
# * +5 %, not +4 %, since 2026-12-01: on a slower machine (requests 7-8 ms at the median beside
#   the busy core) the unchanged services' upper bound reached +6.7 % (95th percentile) and +4 %
#   warned on 4 of 12 rounds. Re-judged on all 60 rounds, +5 % warned on 2 of 60 (3.3 %) and
#   failed 59 of 60 runs slowed by 20 %. 30 fresh rounds on +5 %, on a third machine: no false
#   fail, 1 false warn (an endpoint's), 30 of 30 slowed runs failed (docs/performance.md).
# * No tails: a window's p95 cannot be paired (the p95 of ratios is not the ratio of p95s), and
#   over 9 windows the ratio of the two sides' p95s read unchanged services to +20 % (median
#   upper bound) and up to +103 %: a tail criterion warned on 3 of 7 unchanged runs and could
#   only ever fail a tail twice as slow. The SLOs judge the candidate's tails against their
#   thresholds; a scenario that wants relative tails names them in gate.criteria.
DUET_DEFAULT_CRITERIA = (
    RelativeCriterion(MEDIAN, 5.0, Direction.HIGHER_IS_WORSE, ALL_ENDPOINTS, key=True),
    RelativeCriterion(MEDIAN, 30.0, Direction.HIGHER_IS_WORSE, EACH_ENDPOINT, key=True),
)


def judge_duet(
    criteria: tuple[RelativeCriterion, ...],
    baseline: PerWindowView,
    candidate: PerWindowView,
    paired: Mapping[str, Sequence[float | None]] | None = None,
    alpha: float = RUN_ALPHA,
) -> Comparisons:
    """``paired``: a closed-model duet's paired requests (endpoint → each window's log-ratio,
    harness/load/paired_windows.py); where given, a p50 criterion judges them — the shift request by request, with the
    machine's noise cancelled in each pair — instead of the ratio of the two sides' p50s.
    ``alpha``: the false-alarm rate the criteria share (the run's; benchmarks split it)."""
    planned = plan_comparisons(criteria, baseline, candidate, alpha=alpha)
    results: list[CriterionResult] = []
    detectable: list[tuple[str, float]] = []
    for criterion, endpoint, confidence in planned.judged:
        ratios = (paired or {}).get(endpoint) if criterion.metric == MEDIAN else None
        if ratios is not None:
            outcome = compare_log_ratios(
                ratios,
                criterion.tolerance_pct,
                criterion.direction,
                criterion.warning_tolerance_pct,
                confidence,
            )
        else:
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
