"""Run histories built by hand for the tests of ``history show``, the trend report and the gate's
history criterion — and a stand-in detector, so those tests need neither a store nor the
change-point library (their own tests use both: tests/unit/test_history_store*.py,
test_changepoints.py).

The stand-in is a plain step finder, not a mock: it reports a change wherever a run's value
differs from the previous run's by more than ``STEP_PCT``, with the mean of each side, once
``AFTER`` runs stand at the new level (the real detector's delay: it needs runs after a step
before it calls it one), so the runs a test builds decide what it finds and when.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from harness.history.detection import HistoryDetector
from harness.values.history import ChangePoint, HistoryRun, SeriesKey

HOME = "GET /v1/recommendations/home"
P99 = SeriesKey(HOME, "p99_ms")
P50 = SeriesKey(HOME, "p50_ms")
START = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
STEP_PCT = 2.0
AFTER = 3  # runs at the new level, the step's first included, before a step is reported
MIN_RUNS = 6


def runs(
    levels: Sequence[float],
    *,
    keys: Sequence[SeriesKey] = (P99,),
    scenario: str = "ci",
    fingerprint: str = "a1b2c3d4e5f60718",
    branch: str | None = "main",
    first: int = 0,
    run_dir: str | None = None,
    verdicts: Sequence[str] = (),
    mode: str = "single",
) -> list[HistoryRun]:
    """One run per level, an hour apart from ``first`` hours after START; every key in ``keys``
    measured at that level (p50 at a fifth of it)."""
    made = []
    for i, level in enumerate(levels, start=first):
        values = {key: level / 5 if key.metric == "p50_ms" else level for key in keys}
        made.append(
            HistoryRun(
                run_id=f"20261101T{i:04d}Z-{scenario}-{i:04x}",
                started_at=(START + timedelta(hours=i)).isoformat().replace("+00:00", "Z"),
                scenario=scenario,
                fingerprint=fingerprint,
                verdict=verdicts[i - first] if verdicts else "pass",
                mode=mode,
                commit=hashlib.sha1(f"commit {i}".encode()).hexdigest(),
                branch=branch,
                ci_url=f"https://github.com/o/r/actions/runs/{1000 + i}",
                run_dir=f"{run_dir}/{i}" if run_dir else None,
                values=values,
            )
        )
    return made


def step_points(
    key: SeriesKey, series: Sequence[HistoryRun], after: int = AFTER
) -> list[ChangePoint]:
    """Every step of more than STEP_PCT between neighbours with ``after`` runs after it (its
    first included), with each side's mean."""
    values = [run.values[key] for run in series if key in run.values]
    kept = [run for run in series if key in run.values]
    cuts = [
        i
        for i in range(1, len(values) - after + 1)
        if abs(values[i] / values[i - 1] - 1) * 100 > STEP_PCT
    ]
    points = []
    for n, cut in enumerate(cuts):
        left = values[(cuts[n - 1] if n else 0) : cut]
        right = values[cut : (cuts[n + 1] if n + 1 < len(cuts) else len(values))]
        low, high = sum(left) / len(left), sum(right) / len(right)
        change = (high / low - 1) * 100
        points.append(
            ChangePoint(key, cut, kept[cut].run_id, kept[cut].commit, low, high, change,
                        (change - 4.0, change + 4.0), 0.99)
        )  # fmt: skip
    return points


@dataclass(frozen=True)
class Creep:
    key: SeriesKey
    change_pct: float
    runs: int
    steps: tuple[ChangePoint, ...]

    def sentence(self, branch: str | None = None) -> str:
        on = f" on {branch}" if branch else ""
        return f"{self.key.label()} rose {self.change_pct:.0f} % over the last {self.runs} runs{on}, in {len(self.steps)} steps"


def small_steps_creep(
    key: SeriesKey, series: Sequence[HistoryRun], tolerance: float
) -> Creep | None:
    """Creep as the detector means it: steps each within the tolerance, their sum beyond it."""
    points = step_points(key, series)
    small = [p for p in points if abs(p.change_pct) <= tolerance]
    if len(small) < 2 or small != points:
        return None
    values = [run.values[key] for run in series if key in run.values]
    first = small[0].index - 1
    total = (values[-1] / values[first] - 1) * 100
    return Creep(key, total, len(values) - first, tuple(small)) if abs(total) > tolerance else None


@dataclass
class Recorder:
    """Remembers what each detector call was given."""

    seen: list[tuple[SeriesKey, list[str]]] = field(default_factory=list)

    def detector(self, min_runs: int = MIN_RUNS, after: int = AFTER) -> HistoryDetector:
        def change_points(key: SeriesKey, series: Sequence[HistoryRun]) -> list[ChangePoint]:
            self.seen.append((key, [run.run_id for run in series]))
            return step_points(key, series, after)

        return HistoryDetector(change_points, small_steps_creep, min_runs)


def stand_in_detector(min_runs: int = MIN_RUNS, after: int = AFTER) -> HistoryDetector:
    return Recorder().detector(min_runs, after)
