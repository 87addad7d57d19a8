"""Change points in a run-history series, and the creep that no single change point shows.

**The library: Apache Otava** (``apache-otava``, the Apache incubator's successor of DataStax's
Hunter), its ``otava.analysis`` module: the split-and-merge E-Divisive detector of Fleming et al.,
"Hunter: Using Change Point Detection to Hunt for Performance Regressions" (ICPE 2023), made for
exactly this — one number per CI run, a few dozen runs, noisy. It slides a window over the series,
lets E-Divisive propose splits (mean energy distance, no assumption about the noise's shape), and
keeps a split only where a two-sample Student t-test between the segments on either side gives
p ≤ ``Detector.max_pvalue``. No permutations, so the same history always gives the same change points.
Why Otava and not MongoDB's signal-processing-algorithms, and why it is installed without its
dependencies: docs/history.md, "Change-point detection".

What we add around it, each for a reason:

* **Log scale** for latency and throughput (``series.Series.log_scale``): their noise is a ratio.
* **At least ``Detector.min_segment_runs`` runs on each side** of a change point: a t-test happily calls one
  slow run at the end of the series a change; one run is an outlier until the next runs agree.
* **Magnitude with a 95 % interval** (Welch's t on the two segments, scipy): the change of the
  level — geometric mean on the log scale, mean otherwise — from the segment before to the one after.
* **Confidence** = 1 − Otava's p-value for the split, between the neighbouring change points.

The parameters were tuned on this project's own A/A runs: docs/gate.md, "Change points over the
run history", and ``benchmarks/history_changepoints.py``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from otava.analysis import TTestSignificanceTester, compute_change_points, merge
from scipy import stats

from harness.history.series import Series, series_of, worse_pct
from harness.values.history import ChangePoint, HistoryRun, SeriesKey

__all__ = [
    "DETECTOR",
    "Creep",
    "Detector",
    "find_change_points",
    "find_creep",
    "is_regression",
]

INTERVAL_CONFIDENCE = 0.95


@dataclass(frozen=True)
class Detector:
    """The detector's parameters; the defaults are the tuned ones (module docstring)."""

    # A split is a change point when the t-test between its sides gives a p-value below this.
    max_pvalue: float = 0.0001
    min_segment_runs: int = 4  # runs each side of a change point needs before it is reported
    window_runs: int = 60  # Otava's sliding window: it proposes splits within windows this long
    # Creep's steps are found with a looser p-value: the steps of a creep are each small, and a
    # creep is reported only when they add up beyond the tolerance, which noise does not.
    creep_max_pvalue: float = 0.01
    creep_window_runs: int = 60  # creep is looked for in at most the newest runs of this many

    def __post_init__(self) -> None:
        # Welch's interval needs two runs a side; Otava's window must hold two segments.
        if not (0 < self.max_pvalue < 1 and 0 < self.creep_max_pvalue < 1):
            raise ValueError("max_pvalue and creep_max_pvalue must lie between 0 and 1")
        if self.min_segment_runs < 2 or self.window_runs < 2 * self.min_segment_runs:
            raise ValueError("min_segment_runs must be ≥ 2, and window_runs ≥ twice it")
        if self.creep_window_runs < 2 * self.min_segment_runs:
            raise ValueError("creep_window_runs must be ≥ twice min_segment_runs")


DETECTOR = Detector()


def find_change_points(
    key: SeriesKey, runs: Sequence[HistoryRun], detector: Detector = DETECTOR
) -> list[ChangePoint]:
    """The lasting shifts of ``key`` over ``runs`` (oldest first), oldest first.

    Runs without the key are skipped: ``index`` counts only the runs that have it, and
    ``run_id``/``commit`` are those of the first run after the change."""
    return _change_points(series_of(key, runs), detector)


def is_regression(change: ChangePoint, tolerance_pct: float = 0.0) -> bool:
    """Whether ``change`` makes its metric worse by more than ``tolerance_pct``: latency, error
    ratio or burn rate up, throughput or SLI down. An improvement is never a regression."""
    return worse_pct(change.key.metric, change.change_pct) > tolerance_pct


@dataclass(frozen=True)
class Creep:
    """A series that got worse beyond the tolerance over its newest runs, in steps that each
    stayed within it: what a per-run gate with that tolerance lets through one step at a time."""

    key: SeriesKey
    change_pct: float  # from the level before the first step to the newest level, signed
    runs: int  # the runs it spans: the last one before the first step up to the newest
    steps: tuple[ChangePoint, ...]  # oldest first; each within the tolerance
    tolerance_pct: float

    def sentence(self, branch: str | None = None) -> str:
        """'p99 of GET /v1/recommendations/home rose 24 % over the last 12 runs on main, in 4
        steps: +5.1 % at run 20261201T0102Z-ci-ab12 (commit 1a2b3c4), …'"""
        metric = self.key.metric.removesuffix("_ms")
        verb = "rose" if self.change_pct > 0 else "fell"
        where = f" on {branch}" if branch else ""
        steps = ", ".join(
            f"{step.change_pct:+.1f} % at run {step.run_id}"
            + (f" (commit {step.commit[:12]})" if step.commit else "")
            for step in self.steps
        )
        return (
            f"{metric} of {self.key.subject} {verb} {abs(self.change_pct):.0f} % over the last "
            f"{self.runs} runs{where}, in {len(self.steps)} steps: {steps}"
        )


def find_creep(
    key: SeriesKey, runs: Sequence[HistoryRun], tolerance_pct: float, detector: Detector = DETECTOR
) -> Creep | None:
    """The creep of ``key`` over the newest runs, or None.

    The window: the newest ``detector.creep_window_runs`` runs, and only those after the newest
    change point beyond the tolerance (either way: a change that big is a regression or an
    improvement reported on its own, and later steps are measured from the level after it).
    Creep is two or more steps in that window that together make the metric worse by more than
    the tolerance, from the level before the first to the level after the last, as surely as a
    change point (the runs before the first against those after the last). The steps are
    the window's change points at ``detector.creep_max_pvalue``, looser than ``max_pvalue``: each
    is small by definition, and only their sum is judged. A step may come out beyond the
    tolerance — several real ones too close to tell apart — without being a change point
    reported at ``max_pvalue``: it stays a step, so the creep is not missed."""
    if tolerance_pct < 0 or not math.isfinite(tolerance_pct):
        raise ValueError(f"tolerance_pct must be a finite number ≥ 0, not {tolerance_pct!r}")
    series = series_of(key, runs)
    reported = _change_points(series, detector)
    after = max((c.index for c in reported if abs(c.change_pct) > tolerance_pct), default=0)
    start = max(after, len(series) - detector.creep_window_runs, 0)
    window = Series(key, series.runs[start:], series.values[start:])
    loose = replace(detector, max_pvalue=detector.creep_max_pvalue)
    steps = [replace(c, index=c.index + start) for c in _change_points(window, loose)]
    if len(steps) < 2:
        return None
    total_pct = (steps[-1].after / steps[0].before - 1) * 100 if steps[0].before else math.inf
    if worse_pct(key.metric, total_pct) <= tolerance_pct:
        return None
    # The steps are loose; the whole rise must be as sure as a change point: the runs before the
    # first step against those after the last, Otava's t-test at max_pvalue.
    scaled = window.scaled()
    first, last = steps[0].index - start, steps[-1].index - start
    total = TTestSignificanceTester(detector.max_pvalue).compare(scaled[:first], scaled[last:])
    if not total.pvalue <= detector.max_pvalue:
        return None
    return Creep(
        key=key,
        change_pct=total_pct,
        runs=len(series) - steps[0].index + 1,
        steps=tuple(steps),
        tolerance_pct=tolerance_pct,
    )


def _change_points(series: Series, detector: Detector) -> list[ChangePoint]:
    if len(series) < 2 * detector.min_segment_runs:
        return []  # too few runs to tell a change from noise
    scaled = series.scaled()
    found, _weak = compute_change_points(
        scaled, window_len=detector.window_runs, max_pvalue=detector.max_pvalue
    )
    kept = _with_long_segments(list(found), scaled, detector)
    bounds = [0, *(point.index for point in kept), len(series)]
    return [
        _described(series, scaled, bounds[i], point.index, bounds[i + 2], point.stats.pvalue)
        for i, point in enumerate(kept)
    ]


def _with_long_segments(found: list[Any], scaled: list[float], detector: Detector) -> list[Any]:
    """Otava's change points (its ``ChangePoint[TTestStats]``), less those that leave fewer than
    ``detector.min_segment_runs`` runs on a side.

    The one with the weakest p-value among the too-close goes first; then the rest are tested
    again over their new segments, and Otava's own merge step drops any no longer significant."""
    tester = TTestSignificanceTester(detector.max_pvalue)
    points = found
    while True:
        bounds = [0, *(point.index for point in points), len(scaled)]
        short = [
            i
            for i, point in enumerate(points)
            if min(point.index - bounds[i], bounds[i + 2] - point.index) < detector.min_segment_runs
        ]
        if not short:
            return points
        del points[max(short, key=lambda i: points[i].stats.pvalue)]
        intervals = tester.get_intervals(points)
        points = [tester.change_point(p.to_candidate(), scaled, intervals) for p in points]
        points = merge(points, scaled, detector.max_pvalue, 0.0)


def _described(
    series: Series, scaled: list[float], start: int, index: int, stop: int, pvalue: float
) -> ChangePoint:
    """The change at ``index``, its segments ``[start, index)`` and ``[index, stop)``."""
    before, after = scaled[start:index], scaled[index:stop]
    shift = stats.ttest_ind(after, before, equal_var=False)
    low, high = (float(bound) for bound in shift.confidence_interval(INTERVAL_CONFIDENCE))
    level_before, level_after = sum(before) / len(before), sum(after) / len(after)
    delta = level_after - level_before
    if math.isnan(low):  # both segments without spread: the change is known exactly
        low = high = delta
    if series.log_scale:
        level_before, level_after = math.exp(level_before), math.exp(level_after)
        change_pct, interval = _pct_of_log(delta), (_pct_of_log(low), _pct_of_log(high))
    else:
        change_pct = _pct_of(delta, level_before)
        interval = (_pct_of(low, level_before), _pct_of(high, level_before))
    run = series.runs[index]
    return ChangePoint(
        key=series.key,
        index=int(index),
        run_id=run.run_id,
        commit=run.commit,
        before=level_before,
        after=level_after,
        change_pct=change_pct,
        interval_pct=interval,
        confidence=min(1.0, max(0.0, 1.0 - float(pvalue))),
    )


def _pct_of_log(delta: float) -> float:
    return math.expm1(delta) * 100


def _pct_of(delta: float, level: float) -> float:
    """``delta`` as a % of ``level``; from a level of 0 any rise is +inf % (an error ratio that was
    0), and no change is 0 %."""
    if level == 0:
        return 0.0 if delta == 0 else math.copysign(math.inf, delta)
    return delta / abs(level) * 100
