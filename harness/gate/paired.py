"""Paired statistics for duet runs: baseline and candidate measured side by side, window by window.

In a duet run both services take load in the same 5 s windows, so whatever slows the machine
in one window (another process taking a core, a noisy neighbour) slows both sides alike. Comparing
them window by window cancels that shared noise, which a comparison of two independent runs
cannot (FACTS.md: a busy core shifts p99 by +27 to +82 %). Pure: numbers in, a judgement out.

Per window i, d_i = ln(candidate_i / baseline_i): a multiplicative change (and a shared factor)
becomes additive (and cancels). Then, on the d_i:

- the Wilcoxon signed-rank test (two-sided) for the p-value;
- the Hodges–Lehmann estimate of the shift: the median of the n(n+1)/2 Walsh averages
  (d_i + d_j) / 2, i ≤ j;
- its 95 % confidence interval [W_(C), W_(M+1−C)] from the ordered Walsh averages W_(1..M),
  M = n(n+1)/2, where C is the lower critical value of the signed-rank statistic T+ under the
  null hypothesis (Hollander & Wolfe, *Nonparametric Statistical Methods*, 2nd ed. 1999, §3.3,
  eq. 3.24–3.28). C is R's: ``qsignrank(α/2, n)``, the smallest c with P(T+ ≤ c) ≥ α/2 (at least 1),
  as in R's ``wilcox.test(conf.int = TRUE)``. Exact (T+'s distribution by counting subsets of
  ranks) up to ``EXACT_MAX_PAIRS`` pairs, as scipy's own exact p-values are; above, the normal
  approximation with continuity correction, C = ⌈n(n+1)/4 − z·√(n(n+1)(2n+1)/24) − ½⌉
  (H&W eq. 3.28 with the same ½ the exact rule's "≤ c" implies).

Estimate and interval are reported as percent shifts, 100·(exp(x) − 1): +20 % means the candidate
takes 1.20 × the baseline's value. The verdict follows the gate's rule for relative criteria
(``harness/gate/statistics.py``, replicated here, not imported): fail when the whole interval lies
beyond the tolerance in the worse direction, pass when the whole interval is within it, warn when
it straddles; an optional looser warning tolerance turns such a fail into a warn.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeGuard

import numpy as np

from harness.values.criteria import Direction
from harness.values.status import Status

__all__ = [
    "CONFIDENCE",
    "EXACT_MAX_PAIRS",
    "MIN_PAIRS",
    "PairedComparison",
    "compare_log_ratios",
    "compare_paired",
    "hodges_lehmann",
    "log_ratios",
    "pairs_needed",
    "signed_rank_critical_value",
]

CONFIDENCE = 0.95
# Below 6 pairs the smallest two-sided exact p-value, 2 / 2ⁿ, is above 0.05: the test can never
# reject, and even the widest interval (smallest to largest Walsh average) covers less than 95 %
# (1 − 2/32 = 93.75 % at n = 5). From 6 pairs on the exact interval has its full 95 %.
MIN_PAIRS = 6
EXACT_MAX_PAIRS = 50  # scipy's wilcoxon switches to the normal approximation above 50 too
# scipy.stats is imported where it is used, here and in statistics.py and soak/trend.py: it takes
# 0.6 s to import, more than half of the CLI's start, and commands that stop at bad input,
# `validate` and `--help` never judge.


@dataclass(frozen=True)
class PairedComparison:
    n: int  # pairs used
    estimate_pct: float | None  # Hodges–Lehmann shift, candidate vs baseline (+ is higher)
    ci_pct: tuple[float, float] | None  # its confidence interval (low, high)
    p_value: float | None  # two-sided Wilcoxon signed-rank
    status: Status  # pass, warn, fail or no_data (fewer than MIN_PAIRS usable pairs)
    dropped: int = 0  # pairs left out: a side missing, not finite, or ≤ 0
    detail: str = ""


def compare_paired(
    baseline: Sequence[float | None],
    candidate: Sequence[float | None],
    tolerance_pct: float,
    direction: Direction | str,
    warning_tolerance_pct: float | None = None,
    confidence: float = CONFIDENCE,
) -> PairedComparison:
    """Judge ``candidate`` against ``baseline``, window i against window i.

    ``direction`` is a ``Direction`` or its value. ``confidence`` is the interval's (a run's
    comparisons share its α, comparable.plan_comparisons, so the run as a whole keeps it).
    ``ValueError`` if the sequences differ in length (the windows would not pair up).
    """
    d = log_ratios(baseline, candidate)
    return compare_log_ratios(
        d, tolerance_pct, direction, warning_tolerance_pct, confidence, len(baseline) - len(d)
    )


def compare_log_ratios(
    ratios: Sequence[float | None] | np.ndarray,
    tolerance_pct: float,
    direction: Direction | str,
    warning_tolerance_pct: float | None = None,
    confidence: float = CONFIDENCE,
    dropped: int = 0,
) -> PairedComparison:
    """The same judgement on per-window log-ratios measured directly (a duet's paired requests:
    each window's crossover mean of ln(candidate / baseline) over the requests both sides sent,
    harness/load/paired_windows.py)."""
    worse = Direction(direction)
    d = np.array([r for r in ratios if r is not None and math.isfinite(r)], dtype=float)
    dropped += len(ratios) - len(d)
    needed = pairs_needed(confidence)
    if len(d) < needed:
        return PairedComparison(
            len(d), None, None, None, Status.NO_DATA, dropped,
            f"too few paired windows to compare ({len(d)} with both sides measured, "
            f"{dropped} left out; at least {needed} for a {100 * confidence:.4g} % interval)",
        )  # fmt: skip
    low, estimate, high = hodges_lehmann(d, confidence)
    low_pct, estimate_pct, high_pct = (100.0 * math.expm1(x) for x in (low, estimate, high))
    # zsplit: a window where both sides measured the same (d = 0, common with percentiles kept
    # to 3 significant digits) is evidence of no change, so it stays in n with its rank split
    # between the signs, as the interval keeps it among the Walsh averages; "wilcox" would drop
    # it and judge the rest as if it had not been measured (and answers NaN when all d are 0).
    from scipy.stats import wilcoxon  # late: see EXACT_MAX_PAIRS's note

    p_value = float(wilcoxon(d, zero_method="zsplit", alternative="two-sided").pvalue)
    status = _status(low_pct, high_pct, tolerance_pct, worse, warning_tolerance_pct)
    return PairedComparison(len(d), estimate_pct, (low_pct, high_pct), p_value, status, dropped)


def pairs_needed(confidence: float = CONFIDENCE) -> int:
    """The fewest pairs whose exact signed-rank interval can reach ``confidence``: with n pairs
    the widest interval (smallest to largest Walsh average) covers 1 − 2/2ⁿ, so n ≥ log₂(2/α).
    6 at 95 %; 8 at 99.17 % (6 comparisons after the run-level correction). Fewer: no data, as
    an interval labelled 99 % that covers 97 % would overstate what the run knows."""
    return max(MIN_PAIRS, math.ceil(math.log2(2.0 / (1.0 - confidence)) - 1e-9))


def log_ratios(baseline: Sequence[float | None], candidate: Sequence[float | None]) -> np.ndarray:
    """ln(candidate_i / baseline_i) for the windows where both sides have a finite value > 0."""
    if len(baseline) != len(candidate):
        raise ValueError(
            f"paired samples must have one value per window on each side: "
            f"{len(baseline)} baseline windows, {len(candidate)} candidate windows"
        )
    pairs = zip(baseline, candidate, strict=True)
    return np.array([math.log(c / b) for b, c in pairs if _usable(b) and _usable(c)], dtype=float)


def hodges_lehmann(
    d: Sequence[float] | np.ndarray, confidence: float = CONFIDENCE
) -> tuple[float, float, float]:
    """(low, estimate, high): the Hodges–Lehmann estimate of the centre of ``d`` (the median of its
    Walsh averages) and its ``confidence`` interval from the signed-rank distribution."""
    values = np.asarray(d, dtype=float)
    n = len(values)
    if n == 0:
        raise ValueError("the Hodges–Lehmann estimate needs at least one value")
    i, j = np.triu_indices(n)  # i ≤ j
    walsh = np.sort((values[i] + values[j]) / 2.0)
    c = signed_rank_critical_value(n, 1.0 - confidence)
    return float(walsh[c - 1]), float(np.median(walsh)), float(walsh[len(walsh) - c])


def signed_rank_critical_value(n: int, alpha: float) -> int:
    """C, the 1-based rank of the lower confidence bound among the n(n+1)/2 ordered Walsh averages
    (the upper bound is the C-th largest): R's ``max(1, qsignrank(alpha / 2, n))``."""
    if n < 1 or not 0.0 < alpha < 1.0:
        raise ValueError(f"need n ≥ 1 and 0 < alpha < 1, got n={n}, alpha={alpha}")
    total = n * (n + 1) // 2
    if n <= EXACT_MAX_PAIRS:
        below = np.cumsum(_signed_rank_pmf(n))  # below[c] = P(T+ ≤ c)
        # The first c with P(T+ ≤ c) ≥ α/2; the 1e-12 keeps a sum of halves that should equal α/2
        # exactly from landing a rounding error below it.
        c = int(np.searchsorted(below, alpha / 2.0 - 1e-12))
    else:
        from scipy.stats import norm  # late: see EXACT_MAX_PAIRS's note

        sd = math.sqrt(n * (n + 1) * (2 * n + 1) / 24.0)
        c = math.ceil(total / 2.0 - float(norm.ppf(1.0 - alpha / 2.0)) * sd - 0.5)
    return min(max(c, 1), (total + 1) // 2)


def _signed_rank_pmf(n: int) -> np.ndarray:
    """P(T+ = t), t = 0 … n(n+1)/2, under the null: each rank 1…n is positive with chance ½
    independently, so the distribution is that of the sum of a random subset of {1, …, n}
    (the generating function ∏ (1 + x^k) / 2)."""
    pmf = np.zeros(n * (n + 1) // 2 + 1)
    pmf[0] = 1.0
    for k in range(1, n + 1):
        shifted = np.zeros_like(pmf)
        shifted[k:] = pmf[:-k]
        pmf = (pmf + shifted) / 2.0
    return pmf


def _status(
    low_pct: float,
    high_pct: float,
    tolerance_pct: float,
    direction: Direction,
    warning_tolerance_pct: float | None,
) -> Status:
    # For "lower is worse" metrics, look at the interval from the other side (as the gate does).
    worse_low, worse_high = (
        (low_pct, high_pct) if direction is Direction.HIGHER_IS_WORSE else (-high_pct, -low_pct)
    )
    if worse_low > tolerance_pct:
        status = Status.FAIL
    elif worse_high <= tolerance_pct:
        return Status.PASS
    else:
        status = Status.WARN
    if warning_tolerance_pct is not None:
        # Beyond the pass tolerance: within the warning tolerance it warns, else it fails.
        return Status.FAIL if worse_low > warning_tolerance_pct else Status.WARN
    return status


def _usable(value: float | None) -> TypeGuard[float]:
    return value is not None and math.isfinite(value) and value > 0
