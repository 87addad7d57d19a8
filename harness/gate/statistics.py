"""Is the current run worse than the baseline? Kayenta's judge, on per-window samples.

Each side is a list of samples, one per 5 s window (e.g. the p99 of an endpoint in each window).
The Hodges–Lehmann estimator gives the shift between the two (the median of all pairwise
differences) with a 95 % confidence interval from the Mann–Whitney distribution; the shift is
expressed relative to the baseline's median. A regression is a shift whose whole interval lies
beyond the tolerance; an interval entirely within it passes; one that straddles it warns.
Too few windows on either side cannot be judged: inconclusive.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from harness.values.criteria import Direction
from harness.values.status import Status

__all__ = ["MIN_WINDOWS", "Comparison", "compare"]

MIN_WINDOWS = 5
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Comparison:
    judgement: Status  # pass, warn, fail or inconclusive (too few windows)
    shift_pct: float | None  # Hodges–Lehmann shift, % of the baseline median (+ is higher)
    ci_low_pct: float | None
    ci_high_pct: float | None
    p_value: float | None  # two-sided Mann–Whitney U
    baseline_median: float | None
    current_median: float | None
    detail: str = ""


def compare(
    baseline_windows: Sequence[float | None],
    current_windows: Sequence[float | None],
    tolerance_pct: float,
    direction: Direction,
    confidence: float = CONFIDENCE,
) -> Comparison:
    """Judge ``current`` against ``baseline`` (values per window; windows with no value are left out)."""
    baseline, current = _measured(baseline_windows), _measured(current_windows)
    if len(baseline) < MIN_WINDOWS or len(current) < MIN_WINDOWS:
        return Comparison(
            Status.INCONCLUSIVE, None, None, None, None, None, None,
            f"too few windows to compare ({len(current)} now, {len(baseline)} in the baseline; "
            f"at least {MIN_WINDOWS} each)",
        )  # fmt: skip
    reference = statistics.median(baseline)
    if reference == 0:
        reference = max(abs(x) for x in baseline + current) or 1.0  # all zero: any shift is 0 %
    low, shift, high = _hodges_lehmann(baseline, current, confidence)
    to_pct = 100.0 / abs(reference)
    shift_pct, low_pct, high_pct = shift * to_pct, low * to_pct, high * to_pct
    from scipy.stats import mannwhitneyu  # late: 0.6 s to import (gate/paired.py)

    p_value = float(mannwhitneyu(current, baseline, alternative="two-sided").pvalue)
    # For "lower is worse" metrics, look at the interval from the other side.
    worse_low, worse_high = (
        (low_pct, high_pct) if direction is Direction.HIGHER_IS_WORSE else (-high_pct, -low_pct)
    )
    if worse_low > tolerance_pct:
        judgement = Status.FAIL
    elif worse_high <= tolerance_pct:
        judgement = Status.PASS
    else:
        judgement = Status.WARN
    return Comparison(
        judgement,
        shift_pct,
        low_pct,
        high_pct,
        p_value,
        statistics.median(baseline),
        statistics.median(current),
    )


def _hodges_lehmann(
    baseline: list[float], current: list[float], confidence: float
) -> tuple[float, float, float]:
    """(low, estimate, high): the shift current − baseline and its confidence interval."""
    differences = sorted(c - b for c in current for b in baseline)
    n, m = len(current), len(baseline)
    from scipy.stats import norm  # late: 0.6 s to import (gate/paired.py)

    z = float(norm.ppf(0.5 + confidence / 2))
    k = math.floor(n * m / 2 - z * math.sqrt(n * m * (n + m + 1) / 12))
    k = max(0, min(k, len(differences) - 1))
    return differences[k], statistics.median(differences), differences[len(differences) - 1 - k]


def _measured(windows: Sequence[float | None]) -> list[float]:
    """The windows that have a value (``range_values`` and ``per_window`` give None for the rest;
    NaN is left out too, for samples built elsewhere)."""
    return [x for x in windows if x is not None and math.isfinite(x)]
