"""The change-point detector as its readers take it — passed in, so ``history show`` and the gate
are tested with change points built by hand — and run over every series of a selection.

The detector itself (the library, its parameters tuned on this project's noise) is
harness/history/changepoints.py; ``default_detector`` is the one place that names it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from harness.history.sentences import CreepLike, creep_sentence
from harness.history.series import Series, TrafficGroup
from harness.values.history import ChangePoint, HistoryRun, SeriesKey

__all__ = [
    "ChangePointFinder",
    "CreepFinder",
    "Detector",
    "default_detector",
    "detect",
    "series_branch",
]

ChangePointFinder = Callable[[SeriesKey, Sequence[HistoryRun]], list[ChangePoint]]
CreepFinder = Callable[[SeriesKey, Sequence[HistoryRun], float], CreepLike | None]


@dataclass(frozen=True)
class Detector:
    change_points: ChangePointFinder  # find_change_points(key, runs)
    creep: CreepFinder  # find_creep(key, runs, tolerance_pct)
    min_runs: int  # a series of fewer runs is not judged: the detector cannot see a change in it


def default_detector() -> Detector:
    """The project's detector. LEAD(#16 merge): written before the detector's branch was merged;
    mypy cannot find this module until then — adjust the names to what changepoints.py exports
    (its smallest series it judges, and the two functions)."""
    from harness.history.changepoints import MIN_RUNS, find_change_points, find_creep

    return Detector(find_change_points, find_creep, MIN_RUNS)


def detect(
    groups: Sequence[TrafficGroup], detector: Detector, tolerance_pct: float
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


def _detect(series: Series, detector: Detector, tolerance_pct: float) -> Series:
    if len(series.runs) < detector.min_runs:
        return series
    points = detector.change_points(series.key, series.runs)
    creep = detector.creep(series.key, series.runs, tolerance_pct)
    sentence = creep_sentence(creep, series_branch(series.runs)) if creep else None
    return replace(series, detected=True, change_points=tuple(points), creep=sentence)
