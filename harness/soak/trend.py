"""Is a resource growing over a soak? A trend with a confidence interval, not a before/after pair.

Two numbers — first and last — cannot tell a leak from noise: one GC cycle or one cache filling up
moves either. Instead, a straight line is fitted by ordinary least squares; its slope per hour
comes with a confidence interval from the t distribution, and is also given relative to the
series' median (% per hour), so thresholds can say both "at least 5 MB/h" and "at least 2 %/h".

Autocorrelation. The OLS interval assumes independent residuals. Samples a second apart are not
independent (RSS moves in allocator and GC cycles; a p99 over a 10 s window shares nine tenths of
its window with the next sample), so on raw samples the interval is far too narrow and slow noise
is called a leak. Two simple remedies:

1. The line is fitted to the medians of ``BUCKETS`` equal time buckets, not to the raw samples.
   Correlation shorter than a bucket (over a minute in a soak of half an hour or more) is gone,
   and a median ignores a spike.
2. Correlation left between the buckets (a slow wander) widens the interval: the lag-1
   autocorrelation r of the residuals gives an effective number of points n·(1−r)/(1+r), which
   sets both the residual variance and the t distribution's degrees of freedom (Santer et al.
   2000, J. Geophys. Res. 105(D6), 7337). A series without such correlation keeps its full n.
   tests/unit/test_trend.py measures the false-positive rate on random walks, the worst case.

Warm-up: ``skip_first_s`` drops the start of the series (allocations while caches fill are not
leaks). The judgement (``judge_growth``) calls a leak only when the whole interval lies above both
an absolute and a relative threshold, so tiny noise on a tiny value cannot trigger it; an interval
that straddles a threshold is "flat", and its sentence says growth could not be ruled out.
``latency_drift`` applies the same to each endpoint's per-window p99 (harness.gate.samples).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

from harness.values.samples import WINDOW_S, PerWindowView
from harness.values.soak_doc import FindingDoc, TrendDoc

__all__ = [
    "BUCKETS", "COUNT", "MEGABYTES", "MILLISECONDS", "MIN_POINTS", "Finding", "GrowthStatus",
    "Trend", "Unit", "fit_trend", "judge_growth", "latency_drift", "p99_drift",
]  # fmt: skip

BUCKETS = 20  # the line is fitted to this many bucket medians
MIN_POINTS = 6  # fewer (non-empty buckets, hence samples) after the warm-up: no trend
HOUR_S = 3600.0
LATENCY_MIN_SLOPE_MS_PER_H = 5.0  # a p99 drifts when its whole interval lies above both
LATENCY_MIN_RELATIVE_PCT_PER_H = 10.0
LATENCY_MIN_TOTAL_MS = 2.0  # ... and it rose by at least this much over the soak


class GrowthStatus(StrEnum):
    LEAKING = "leaking"  # a resource that should stay flat grows (memory, fds)
    DRIFTING = "drifting"  # a measure that should stay flat creeps up (latency, loop lag)
    FLAT = "flat"
    INSUFFICIENT_DATA = "insufficient_data"


@dataclass(frozen=True)
class Unit:
    """How a series' values are shown: ``symbol`` per ``scale`` raw units (1e6 bytes is 1 MB)."""

    symbol: str
    scale: float = 1.0


MEGABYTES = Unit("MB", 1e6)  # from bytes; decimal megabytes
MILLISECONDS = Unit("ms", 1e-3)  # from seconds
COUNT = Unit("")


@dataclass(frozen=True)
class Trend:
    slope_per_h: float  # raw units per hour
    ci_low_per_h: float
    ci_high_per_h: float
    reference: float  # |median| of the values fitted, the base of the relative slope
    span_s: float  # time from the first to the last sample after the warm-up
    samples: int  # raw samples after the warm-up
    points: int  # bucket medians the line was fitted to
    autocorrelation: float  # lag-1 autocorrelation of the residuals, clipped to [0, 0.99]
    confidence: float

    @property
    def relative_pct_per_h(self) -> float:
        return self.pct(self.slope_per_h)

    def pct(self, per_h: float) -> float:
        """A slope per hour as % of the median per hour (e.g. ``pct(trend.ci_low_per_h)``)."""
        return 100.0 * per_h / self.reference

    def as_dict(self) -> TrendDoc:
        return {
            "slope_per_h": self.slope_per_h,
            "ci_low_per_h": self.ci_low_per_h,
            "ci_high_per_h": self.ci_high_per_h,
            "reference": self.reference,
            "span_s": self.span_s,
            "samples": self.samples,
            "points": self.points,
            "autocorrelation": self.autocorrelation,
            "confidence": self.confidence,
        }


@dataclass(frozen=True)
class Finding:
    what: str  # e.g. "service RSS"
    status: GrowthStatus
    sentence: str  # what a person reads: the slope, its interval, the span and the conclusion
    trend: Trend | None
    not_ruled_out: bool = False  # flat, but growth above the thresholds could not be ruled out
    series: str | None = None  # the resource series it judges (resources.py); None: latency

    def as_dict(self) -> FindingDoc:
        """For result.json: plain values only."""
        return {
            "what": self.what,
            "status": self.status.value,
            "sentence": self.sentence,
            "trend": self.trend.as_dict() if self.trend is not None else None,
            "not_ruled_out": self.not_ruled_out,
            "series": self.series,
        }


def fit_trend(
    times_s: Sequence[float],
    values: Sequence[float],
    confidence: float = 0.95,
    *,
    skip_first_s: float = 0.0,
    buckets: int = BUCKETS,
) -> Trend | None:
    """The OLS slope per hour of ``values`` over ``times_s`` (seconds), with its interval.

    ``None`` when fewer than ``MIN_POINTS`` samples (or non-empty buckets) remain after the first
    ``skip_first_s`` seconds, or they span no time. Non-finite values are dropped.
    """
    pairs = sorted(
        (float(t), float(v))  # numpy scalars in, plain floats out (the Trend goes to JSON)
        for t, v in zip(times_s, values, strict=True)
        if math.isfinite(t) and math.isfinite(v)
    )
    if not pairs:
        return None
    pairs = [(t, v) for t, v in pairs if t >= pairs[0][0] + skip_first_s]
    if len(pairs) < MIN_POINTS or pairs[-1][0] <= pairs[0][0]:
        return None
    xs, ys = _bucket_medians(pairs, buckets)
    if len(xs) < MIN_POINTS:
        return None
    n = len(xs)
    x_mean, y_mean = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - x_mean) ** 2 for x in xs)
    slope = sum((x - x_mean) * (y - y_mean) for x, y in zip(xs, ys, strict=True)) / sxx
    residuals = [y - y_mean - slope * (x - x_mean) for x, y in zip(xs, ys, strict=True)]
    sse = sum(r * r for r in residuals)
    lag1 = sum(a * b for a, b in pairwise(residuals)) / sse if sse else 0.0
    lag1 = min(max(lag1, 0.0), 0.99)  # negative correlation would narrow the interval: ignore it
    dof = max(n * (1 - lag1) / (1 + lag1) - 2, 1.0)
    from scipy.stats import t as student_t  # late: 0.6 s to import (gate/paired.py)

    half = float(student_t.ppf(0.5 + confidence / 2, dof)) * math.sqrt(sse / dof / sxx)
    values_fitted = [v for _, v in pairs]
    median = abs(statistics.median(values_fitted))
    reference = median or max(abs(v) for v in values_fitted) or 1.0  # all zero: any slope is 0 %
    return Trend(
        slope * HOUR_S, (slope - half) * HOUR_S, (slope + half) * HOUR_S, reference,
        pairs[-1][0] - pairs[0][0], len(pairs), n, lag1, confidence,
    )  # fmt: skip


def judge_growth(
    trend: Trend | None,
    min_slope_per_h: float,
    min_relative_pct_per_h: float,
    *,
    what: str = "the value",
    unit: Unit = COUNT,
    growing: GrowthStatus = GrowthStatus.LEAKING,
    min_total: float = 0.0,
) -> Finding:
    """Growing (``growing``: leaking or drifting) only if the whole interval lies above both
    thresholds (raw units per hour, and % of the median per hour) and the growth it implies over
    the observed span is at least ``min_total`` (raw units); otherwise flat.

    ``min_total`` keeps a short soak from extrapolating a cache's last megabyte into "MB/h": a
    slope is only a leak once the soak has seen it grow by something that matters."""
    if trend is None:
        too_few = f"too few samples after the warm-up to fit a trend (at least {MIN_POINTS})"
        return Finding(what, GrowthStatus.INSUFFICIENT_DATA, f"{what}: {too_few}", None)
    rate = f"{_num(abs(trend.slope_per_h) / unit.scale)}{_per_h(unit)}"
    interval = (
        f"{trend.confidence * 100:g} % CI {_num(trend.ci_low_per_h / unit.scale)} to "
        f"{_num(trend.ci_high_per_h / unit.scale)}{_per_h(unit)}, "
        f"{_num(trend.relative_pct_per_h)} %/h"
    )
    threshold = (
        f"{_num(min_slope_per_h / unit.scale)}{_per_h(unit)} and {min_relative_pct_per_h:g} %/h"
    )
    verb = "grows" if trend.slope_per_h >= 0 else "falls"
    observed = f"{what} {verb} {rate} ({interval}) over {_span(trend.span_s)}"
    noun = "a leak" if growing is GrowthStatus.LEAKING else "a drift"
    pct = trend.pct
    steep = (
        trend.ci_low_per_h > min_slope_per_h and pct(trend.ci_low_per_h) > min_relative_pct_per_h
    )
    seen = trend.ci_low_per_h * trend.span_s / HOUR_S  # the least growth the interval allows
    if steep and seen >= min_total:
        return Finding(what, growing, f"{observed} — {noun}", trend)
    if steep:
        small = (
            f"too little to call {noun} yet: at least {_num(seen / unit.scale)}{_unit(unit)} over "
            f"the span, under {_num(min_total / unit.scale)}{_unit(unit)}"
        )
        return Finding(what, GrowthStatus.FLAT, f"{observed} — {small}", trend, not_ruled_out=True)
    if trend.ci_high_per_h > min_slope_per_h and pct(trend.ci_high_per_h) > min_relative_pct_per_h:
        unsure = f"not clearly {noun}, but one (above {threshold} at once) cannot be ruled out"
        sentence = f"{observed} — {unsure}"
        return Finding(what, GrowthStatus.FLAT, sentence, trend, not_ruled_out=True)
    flat = f"{observed} — flat: {noun} (above {threshold} at once) is ruled out"
    return Finding(what, GrowthStatus.FLAT, flat, trend)


def p99_drift(
    p99_ms: Sequence[float | None], *, what: str = "p99 latency", window_s: float = WINDOW_S,
    skip_first_s: float = 0.0, min_slope_ms_per_h: float = LATENCY_MIN_SLOPE_MS_PER_H,
    min_relative_pct_per_h: float = LATENCY_MIN_RELATIVE_PCT_PER_H,
) -> Finding:  # fmt: skip
    """Drift of a p99 given one value (ms) per consecutive window of ``window_s`` (``None``: no
    value for that window; its place still counts as time)."""
    timed = [(i * window_s, v) for i, v in enumerate(p99_ms) if v is not None]
    times, values = [t for t, _ in timed], [v for _, v in timed]
    trend = fit_trend(times, values, skip_first_s=skip_first_s)
    return judge_growth(
        trend, min_slope_ms_per_h, min_relative_pct_per_h,
        what=what, unit=Unit("ms"), growing=GrowthStatus.DRIFTING,
        min_total=LATENCY_MIN_TOTAL_MS,
    )  # fmt: skip


def latency_drift(
    samples: PerWindowView,
) -> Finding | None:
    """The most serious p99 drift over the endpoints of ``samples`` (endpoint → metric → one
    value per window, as harness.gate.samples gives them); None when there is no endpoint."""
    findings = [
        p99_drift(metrics.get("p99_ms", ()), what=f"p99 latency of {endpoint}")
        for endpoint, metrics in samples.items()
    ]
    order = [GrowthStatus.INSUFFICIENT_DATA, GrowthStatus.FLAT, GrowthStatus.DRIFTING]

    def seriousness(f: Finding) -> tuple[int, bool, float]:
        return order.index(f.status), f.not_ruled_out, f.trend.slope_per_h if f.trend else 0.0

    return max(findings, key=seriousness, default=None)


def _bucket_medians(
    pairs: list[tuple[float, float]], buckets: int
) -> tuple[list[float], list[float]]:
    """Per equal time bucket: the mean time and the median value of its samples (empty: none).
    No more samples than buckets: the samples themselves."""
    if len(pairs) <= buckets:
        return [t for t, _ in pairs], [v for _, v in pairs]
    start, width = pairs[0][0], (pairs[-1][0] - pairs[0][0]) / buckets
    grouped: list[list[tuple[float, float]]] = [[] for _ in range(buckets)]
    for t, v in pairs:
        grouped[min(int((t - start) / width), buckets - 1)].append((t, v))
    full = [group for group in grouped if group]
    return (
        [statistics.fmean(t for t, _ in group) for group in full],
        [statistics.median(v for _, v in group) for group in full],
    )


def _unit(unit: Unit) -> str:
    return f" {unit.symbol}" if unit.symbol else ""


def _per_h(unit: Unit) -> str:
    return f" {unit.symbol}/h" if unit.symbol else "/h"


def _num(x: float) -> str:
    return f"{x:.0f}" if abs(x) >= 100 else f"{x:.1f}" if abs(x) >= 1 or x == 0 else f"{x:.2g}"


def _span(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * HOUR_S:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / HOUR_S:.1f} h"
