"""One series out of the run history: a key's numbers, run by run, and which way is worse. Pure.

A series is what change-point detection reads (``changepoints.py``): the runs that measured the
key, oldest first. Runs that lack it (an endpoint the scenario did not call that time, an SLO
added later) or hold no finite number for it are left out, so a position in the series counts
only runs that have the key — and each position keeps its run, so a change point can name the
first run (and commit) after it.

Which way is a regression depends on the metric: latency, error ratio and burn rate up is worse;
throughput and an SLO's SLI down is worse.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from harness.values.criteria import Direction
from harness.values.history import ENDPOINT_METRICS, SLO_METRICS, HistoryRun, SeriesKey

__all__ = ["Series", "direction_of", "series_of", "worse_pct"]

# Lower is worse for these; every other metric of ENDPOINT_METRICS and SLO_METRICS (latency
# percentiles, error ratio, burn rate) is worse when higher.
_LOWER_IS_WORSE = frozenset({"throughput", "sli"})


def direction_of(metric: str) -> Direction:
    """Which way a change of ``metric`` is a regression. Unknown metrics are an error, not a
    guess: a regression read the wrong way round would pass a slower service."""
    if metric not in ENDPOINT_METRICS and metric not in SLO_METRICS:
        known = ", ".join((*ENDPOINT_METRICS, *SLO_METRICS))
        raise ValueError(f"unknown history metric {metric!r}: one of {known}")
    return Direction.LOWER_IS_WORSE if metric in _LOWER_IS_WORSE else Direction.HIGHER_IS_WORSE


def worse_pct(metric: str, change_pct: float) -> float:
    """A change in % turned so that positive is worse: +12 % latency → 12, −12 % throughput → 12,
    +12 % throughput → −12."""
    return change_pct if direction_of(metric) is Direction.HIGHER_IS_WORSE else -change_pct


@dataclass(frozen=True)
class Series:
    key: SeriesKey
    runs: tuple[HistoryRun, ...]  # the runs that measured the key, oldest first
    values: tuple[float, ...]  # values[i] is runs[i]'s number for the key

    def __len__(self) -> int:
        return len(self.values)

    @property
    def log_scale(self) -> bool:
        """Whether detection reads the logarithms of the values. Latency and throughput vary by a
        factor from run to run (a busier machine makes every request some % slower), so on a log
        scale their noise is the same size at every level and a change is a ratio. A series with
        a zero or less in it (an error ratio of 0, a burn rate of 0) has no logarithm: it is read
        as it is."""
        return all(value > 0 for value in self.values)

    def scaled(self) -> list[float]:
        """The values as detection reads them (see ``log_scale``)."""
        return [math.log(v) for v in self.values] if self.log_scale else list(self.values)


def series_of(key: SeriesKey, runs: Sequence[HistoryRun]) -> Series:
    """The runs of ``runs`` (oldest first, as the store returns them) that measured ``key``."""
    direction_of(key.metric)  # an unknown metric fails here, before any number is read
    kept = [
        (run, float(run.values[key]))
        for run in runs
        if key in run.values and math.isfinite(run.values[key])
    ]
    return Series(
        key=key,
        runs=tuple(run for run, _ in kept),
        values=tuple(value for _, value in kept),
    )
