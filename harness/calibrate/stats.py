"""The arithmetic of ``loadgate calibrate``: how often does the gate fail, and what can it catch?

Calibration runs the gate many times against the reference service with known slowdowns
(``--fault-slowdown``: 0 %, 5 %, 10 %, …) and counts the runs it failed. At 0 % every failure is a
false alarm; at a real slowdown every pass is a miss. Pure: counts in, rates and intervals out.

- Each rate comes with its Clopper–Pearson exact 95 % interval (the binomial's "exact" interval,
  conservative: it covers at least 95 % whatever the true rate), so "0 false fails in 60 runs"
  reads as "at most 6 %", not as "never".
- The detection curve is P(fail) per tested shift, with those intervals.
- The smallest shift detected with 95 % power: see ``smallest_detected_shift``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from scipy.stats import beta

__all__ = [
    "CONFIDENCE",
    "POWER",
    "DetectionPoint",
    "clopper_pearson",
    "detection_curve",
    "detection_point",
    "smallest_detected_shift",
]

CONFIDENCE = 0.95
POWER = 0.95


@dataclass(frozen=True)
class DetectionPoint:
    shift_pct: float  # the injected slowdown; 0 is the false-fail rate
    trials: int  # gate runs at this shift
    failures: int  # runs the gate failed
    p_fail: float  # failures / trials
    ci: tuple[float, float]  # Clopper–Pearson interval of p_fail (CONFIDENCE)


def clopper_pearson(
    failures: int, trials: int, confidence: float = CONFIDENCE
) -> tuple[float, float]:
    """The exact (Clopper–Pearson, 1934) interval for a rate of ``failures`` in ``trials``:
    the α/2 quantile of Beta(k, n − k + 1) and the 1 − α/2 quantile of Beta(k + 1, n − k), with
    the bound at 0 (k = 0) or 1 (k = n) where that Beta does not exist. For k = 0 the upper
    bound is 1 − (α/2)^(1/n): 0 in 60 → 0.0596."""
    if trials < 1 or not 0 <= failures <= trials:
        raise ValueError(f"need 0 ≤ failures ≤ trials and trials ≥ 1, got {failures} of {trials}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    tail = (1.0 - confidence) / 2.0
    low = 0.0 if failures == 0 else float(beta.ppf(tail, failures, trials - failures + 1))
    high = 1.0 if failures == trials else float(beta.ppf(1 - tail, failures + 1, trials - failures))
    return low, high


def detection_point(shift_pct: float, failures: int, trials: int) -> DetectionPoint:
    """One point of the curve from counts (``ValueError`` for impossible ones, e.g. no trials)."""
    ci = clopper_pearson(failures, trials)
    return DetectionPoint(shift_pct, trials, failures, failures / trials, ci)


def detection_curve(failed_runs: Mapping[float, Sequence[bool]]) -> list[DetectionPoint]:
    """P(fail) per tested shift, smallest shift first. ``failed_runs[shift]`` holds one entry per
    gate run at that shift: True when the gate failed it. What counts as failed (exit 1 only, or
    warn too) is the caller's choice; inconclusive runs are better left out than counted either way.
    """
    return [
        detection_point(shift, sum(map(bool, runs)), len(runs))
        for shift, runs in sorted(failed_runs.items())
    ]


def smallest_detected_shift(
    curve: Iterable[DetectionPoint],
    power: float = POWER,
    criterion: Literal["point", "lower_bound"] = "point",
) -> float | None:
    """The smallest tested shift > 0 from which the gate fails with at least ``power``; None if
    no tested shift qualifies.

    Which number must reach ``power``: by default the observed P(fail) (``"point"``), with its
    interval reported beside it. Requiring the interval's lower bound (``"lower_bound"``) is the
    stricter claim but needs at least 72 runs at a shift even when all of them fail (the lower
    bound of n of n is 0.025^(1/n), ≥ 0.95 from n = 72), hours of runs per shift: out of reach for
    a routine calibration, so it is an option, not the default.

    "From which": every tested shift at or above the answer must qualify, not only the answer
    itself. On a monotone curve that is simply the smallest qualifying shift; when chance makes
    the curve dip (19/20 at 5 %, 18/20 at 10 %), claiming 5 % would promise more than the gate
    showed at 10 %. Shift 0 and below are never an answer: failing those is a false alarm.
    """
    if not 0.0 < power <= 1.0:
        raise ValueError(f"power must be in (0, 1], got {power}")
    if criterion not in ("point", "lower_bound"):
        raise ValueError(f"criterion must be 'point' or 'lower_bound', got {criterion!r}")
    answer = None
    for point in sorted((p for p in curve if p.shift_pct > 0), key=lambda p: -p.shift_pct):
        if (point.p_fail if criterion == "point" else point.ci[0]) < power:
            break  # a larger shift fell short: nothing smaller can be claimed
        answer = point.shift_pct
    return answer
