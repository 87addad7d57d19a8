"""The change-point detector as its readers take it — passed in, so ``history show`` and the gate
are tested with runs and change points built by hand — and run over every series of a selection.

The detector itself (Apache Otava, its parameters tuned on this project's noise) is
harness/history/changepoints.py; ``default_detector`` is the one place that names it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from harness.history.trends import SeriesTrend, TrafficGroup
from harness.values.history import ChangePoint, HistoryRun, SeriesKey

__all__ = [
    "ChangePointFinder",
    "CreepFinder",
    "CreepLike",
    "HistoryDetector",
    "default_detector",
    "detect",
    "series_branch",
]


class CreepLike(Protocol):
    """What the detector says of creep (changepoints.py's ``Creep``): a rise beyond the tolerance
    over the newest runs, in steps each within it, told as one sentence."""

    def sentence(self, branch: str | None = None) -> str: ...


ChangePointFinder = Callable[[SeriesKey, Sequence[HistoryRun]], list[ChangePoint]]
CreepFinder = Callable[[SeriesKey, Sequence[HistoryRun], float], CreepLike | None]


@dataclass(frozen=True)
class HistoryDetector:
    change_points: ChangePointFinder  # find_change_points(key, runs), oldest first
    creep: CreepFinder  # find_creep(key, runs, tolerance_pct)
    min_runs: int  # the shortest series in which it can find a change point


def default_detector() -> HistoryDetector:
    """The project's detector (changepoints.py). A change point needs ``min_segment_runs`` runs
    on each side, so a series of fewer than twice that is not judged."""
    # Imported here: it imports otava and scipy.stats, which commands that never judge must not
    # pay for at start (tests/unit/test_cli_start.py).
    from harness.history.changepoints import DETECTOR, find_change_points, find_creep

    return HistoryDetector(find_change_points, find_creep, 2 * DETECTOR.min_segment_runs)


def detect(
    groups: Sequence[TrafficGroup], detector: HistoryDetector, tolerance_pct: float
) -> list[TrafficGroup]:
    """Every series of at least ``detector.min_runs`` runs with its change points and creep."""
    return [
        replace(group, series=tuple(_detect(s, detector, tolerance_pct) for s in group.series))
        for group in groups
    ]


def series_branch(runs: Sequence[HistoryRun]) -> str | None:
    """The branch the runs were on, when they share one (creep is "on main")."""
    branches = {run.branch for run in runs}
    return branches.pop() if len(branches) == 1 else None


def _detect(series: SeriesTrend, detector: HistoryDetector, tolerance_pct: float) -> SeriesTrend:
    if len(series.runs) < detector.min_runs:
        return series
    points = detector.change_points(series.key, series.runs)
    creep = detector.creep(series.key, series.runs, tolerance_pct)
    sentence = creep.sentence(series_branch(series.runs)) if creep else None
    return replace(series, detected=True, change_points=tuple(points), creep=sentence)
