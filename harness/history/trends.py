"""The history's runs, selected and grouped into series: what ``history show`` prints and draws, and
what the detector reads. Pure: runs in, series out.

A series is one number per run (a ``SeriesKey``: an endpoint's p99, an SLO's burn rate) over the
runs of one scenario with one traffic (its fingerprint), oldest first. Runs of another traffic are
another series, never mixed: their numbers are not comparable. So are a duet's runs: the
fingerprint names the users, and in a duet the candidate gets half of them. Inconclusive runs are
left out of every series (a saturated generator's latencies measure itself), and counted so
reports say so.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from harness.errors import COMMAND_LINE, Problem
from harness.values.history import ENDPOINT_METRICS, SLO_METRICS, ChangePoint, HistoryRun, SeriesKey

__all__ = [
    "DUET",
    "METRICS",
    "Filters",
    "SeriesTrend",
    "TrafficGroup",
    "filter_problems",
    "group_series",
    "judged",
    "metric_problems",
    "same_traffic",
]

METRICS = (*ENDPOINT_METRICS, *SLO_METRICS)
UNTRUSTED = "inconclusive"  # a run that could not measure: its numbers are not a level
DUET = "duet"  # a run's mode when the baseline ran beside it, sharing its users


@dataclass(frozen=True)
class Filters:
    """What to show; an empty set keeps every value. Several values: any of them."""

    scenarios: frozenset[str] = frozenset()
    branches: frozenset[str] = frozenset()
    subjects: frozenset[str] = frozenset()  # endpoints ("GET /path", "all") or "slo:<name>"
    metrics: frozenset[str] = frozenset()

    def keeps_run(self, run: HistoryRun) -> bool:
        return (not self.scenarios or run.scenario in self.scenarios) and (
            not self.branches or (run.branch or "") in self.branches
        )

    def keeps_key(self, key: SeriesKey) -> bool:
        return (not self.subjects or key.subject in self.subjects) and (
            not self.metrics or key.metric in self.metrics
        )


@dataclass(frozen=True)
class SeriesTrend:
    """One number per run, oldest first; after detection, its change points and creep."""

    scenario: str
    fingerprint: str
    duet: bool
    key: SeriesKey
    runs: tuple[HistoryRun, ...]  # only runs that measured ``key``
    detected: bool = False  # the detector looked at it (it had enough runs)
    change_points: tuple[ChangePoint, ...] = ()
    creep: str | None = None  # a sentence, when the detector found creep

    @property
    def values(self) -> list[float]:
        return [run.values[self.key] for run in self.runs]

    @property
    def change_pct(self) -> float | None:
        """The newest value against the first, %; ``None`` when the first is 0."""
        first, last = self.values[0], self.values[-1]
        return None if first == 0 else (last / first - 1) * 100


@dataclass(frozen=True)
class TrafficGroup:
    """The runs of one scenario with one traffic, and its series (one table, one set of charts)."""

    scenario: str
    fingerprint: str
    duet: bool  # runs of a duet: the candidate's side, half the users
    runs: tuple[HistoryRun, ...]  # judged runs, oldest first
    series: tuple[SeriesTrend, ...] = field(default=())
    left_out: int = 0  # inconclusive runs of this traffic, not in any series


def same_traffic(run: HistoryRun, other: HistoryRun) -> bool:
    """Whether two runs' numbers belong to one series: one scenario, one traffic, both a duet's
    candidate or neither."""
    return (run.scenario, run.fingerprint, run.mode == DUET) == (
        other.scenario,
        other.fingerprint,
        other.mode == DUET,
    )


def judged(runs: Iterable[HistoryRun]) -> list[HistoryRun]:
    """The runs whose numbers are a level: every verdict but inconclusive."""
    return [run for run in runs if run.verdict != UNTRUSTED]


def group_series(runs: Sequence[HistoryRun], filters: Filters = Filters()) -> list[TrafficGroup]:
    """Every (scenario, traffic) of the selected runs with its series, scenarios by name and each
    scenario's traffics by their first run (the newest traffic last)."""
    kept = sorted((r for r in runs if filters.keeps_run(r)), key=lambda r: r.started_at)
    by_traffic: dict[tuple[str, str, bool], list[HistoryRun]] = {}
    for run in kept:
        by_traffic.setdefault((run.scenario, run.fingerprint, run.mode == DUET), []).append(run)
    groups = []
    for (scenario, fingerprint, duet), traffic_runs in by_traffic.items():
        trusted = judged(traffic_runs)
        keys = sorted({k for run in trusted for k in run.values if filters.keeps_key(k)})
        series = tuple(
            SeriesTrend(
                scenario, fingerprint, duet, key, tuple(r for r in trusted if key in r.values)
            )
            for key in keys
        )
        left_out = len(traffic_runs) - len(trusted)
        groups.append(TrafficGroup(scenario, fingerprint, duet, tuple(trusted), series, left_out))
    # Stable: within a scenario, traffics stay in the order of their first run.
    return sorted(groups, key=lambda g: g.scenario)


def metric_problems(metrics: Iterable[str]) -> list[Problem]:
    """``--metric`` values that name no metric the history keeps (checked before reading it)."""
    allowed = ", ".join(METRICS)
    return [
        Problem(COMMAND_LINE, "--metric", f"{metric!r} is not a metric; allowed: {allowed}")
        for metric in metrics
        if metric not in METRICS
    ]


def filter_problems(runs: Sequence[HistoryRun], filters: Filters) -> list[Problem]:
    """Filter values the history has never seen, each with those it has: a typo must not look like
    an empty history. Endpoints are looked up among the runs of the scenarios asked for."""
    problems = _unknown("--scenario", filters.scenarios, {r.scenario for r in runs})
    problems += _unknown("--branch", filters.branches, {r.branch or "" for r in runs})
    known = filters.scenarios & {r.scenario for r in runs}  # a typo there: every scenario's
    in_scope = [r for r in runs if not known or r.scenario in known]
    subjects = {key.subject for run in in_scope for key in run.values}
    problems += _unknown("--endpoint", filters.subjects, subjects)
    return problems


def _unknown(flag: str, wanted: frozenset[str], seen: set[str]) -> list[Problem]:
    known = ", ".join(sorted(repr(value) for value in seen)) or "none"
    return [
        Problem(COMMAND_LINE, flag, f"{value!r} has no run in the history; it has: {known}")
        for value in sorted(wanted - seen)
    ]
