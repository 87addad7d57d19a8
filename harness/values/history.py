"""A run as the history keeps it (harness/history/): one row per run, its numbers flat per series.

A series is one number per run, followed over the runs of one scenario with one traffic: an
endpoint's p99, an SLO's burn rate. Runs whose traffic differs (another fingerprint) are another
series: their numbers are not comparable, so change-point detection never mixes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["ENDPOINT_METRICS", "SLO_METRICS", "ChangePoint", "HistoryRun", "SeriesKey"]

ENDPOINT_METRICS = ("p50_ms", "p95_ms", "p99_ms", "error_ratio", "throughput")
SLO_METRICS = ("sli", "burn_rate")
SLO_PREFIX = "slo:"  # a SeriesKey's subject for an SLO: "slo:<name>"; else an endpoint or "all"


@dataclass(frozen=True, order=True)
class SeriesKey:
    subject: str  # "GET /v1/recommendations/home", "all" (every request), or "slo:<name>"
    metric: str  # one of ENDPOINT_METRICS, or of SLO_METRICS for an SLO

    def label(self) -> str:
        """How people read it: "p99_ms of GET /v1/recommendations/home"."""
        return f"{self.metric} of {self.subject}"


@dataclass(frozen=True)
class HistoryRun:
    run_id: str  # result.json's run.id
    started_at: str  # result.json's run.started_at (ISO 8601, UTC): the history's order
    scenario: str  # the scenario's name
    fingerprint: str  # a digest of result.json's fingerprint: same traffic, same digest
    verdict: str  # pass | warn | fail | inconclusive
    mode: str  # single | baseline | duet
    commit: str | None = None  # git commit of the code under test, when known
    branch: str | None = None
    ci_url: str | None = None  # the CI run's page, when known
    run_dir: str | None = None  # where its reports were written (the trend report links to it)
    values: Mapping[SeriesKey, float] = field(default_factory=dict)  # missing: not measured


@dataclass(frozen=True)
class ChangePoint:
    """A lasting shift in one series, found by change-point detection over its runs."""

    key: SeriesKey
    index: int  # position in the series (oldest run 0) of the first run after the change
    run_id: str  # that first run's id
    commit: str | None  # that first run's commit, when known
    before: float  # the series' level over the segment before the change
    after: float  # … and over the segment after it
    change_pct: float  # (after ÷ before − 1) × 100
    interval_pct: tuple[float, float]  # the change's 95 % confidence interval, in %
    confidence: float  # 1 − the split's p-value: how sure the detector is it is no accident
