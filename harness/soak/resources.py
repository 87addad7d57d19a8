"""A soak's resources over time, and whether any of them leaks or drifts.

``ResourceSampler.sample(now)``, called by the soak loop every few seconds, records:

- the service's RSS (``process_resident_memory_bytes``) and open file descriptors
  (``process_open_fds``), from Prometheus — prometheus_client's process collector, which the
  reference service exposes in single-process mode only (not with ``--workers N``);
- the service's event-loop lag: the p99 of ``recommender_event_loop_lag_seconds`` over the last
  ``lag_window_s`` (10 s: with 1 s scrapes, about 40 wake-ups of the service's 0.25 s probe);
- the harness's own RSS, from psutil (a harness that leaks over hours distorts the load it makes).

Sampling is best effort and never raises: a query Prometheus rejects, Prometheus not answering,
no data (the first seconds, a service without the metric) or the harness's process gone skips that
value for that sample, and the skip is counted; its last reason goes into the finding's sentence
if too few samples are left to judge. When Prometheus does not answer, the sample's remaining
queries are skipped too, so a sample never waits for more than one timeout.

``findings(skip_first_s)`` fits a trend to each series after the warm-up (harness.soak.trend) and
judges it against thresholds that the whole 95 % interval must exceed, both at once:

| resource                   | absolute  | relative  | seen growing by | when exceeded |
|----------------------------|-----------|-----------|-----------------|---------------|
| service RSS                | 5 MB/h    | 2 %/h     | 2 MB            | leaking       |
| service open fds           | 10 fds/h  | 5 %/h     | 5 fds           | leaking       |
| service event-loop lag p99 | 5 ms/h    | 10 %/h    | 2 ms            | drifting      |
| harness RSS                | 5 MB/h    | 2 %/h     | 2 MB            | leaking       |

The absolute thresholds are growth that matters over a day (120 MB, 240 fds, a loop 120 ms slower);
the relative ones keep a small wobble of a small value from counting; "seen growing by" keeps a
short soak from extrapolating its last cache fill into a rate (the interval's low end × the span). Latency drift of each
endpoint's per-window p99 is ``harness.soak.trend.latency_drift``.
"""

from __future__ import annotations

import dataclasses
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import psutil

from harness.errors import InconclusiveError
from harness.prometheus_api import PrometheusAPI, QueryError
from harness.soak.trend import (
    MEGABYTES,
    MILLISECONDS,
    Finding,
    GrowthStatus,
    Unit,
    fit_trend,
    judge_growth,
)
from harness.values.soak_doc import ResourcesDoc

__all__ = ["RESOURCES", "LeakThresholds", "Resource", "ResourceSampler", "Series"]

LAG_WINDOW_S = 10.0


@dataclass(frozen=True)
class LeakThresholds:
    min_slope_per_h: float  # raw units (bytes, fds, seconds) per hour
    min_relative_pct_per_h: float
    min_total: float  # raw units the soak must have seen it grow by (trend.judge_growth)


@dataclass(frozen=True)
class Resource:
    key: str  # its name in series() and the report
    what: str  # what a sentence calls it
    query: str | None  # PromQL, ``$job`` and ``$window`` filled in; None: the harness's own RSS
    unit: Unit
    thresholds: LeakThresholds
    growing: GrowthStatus = GrowthStatus.LEAKING


RESOURCES = (
    Resource(
        "service_rss_bytes", "service RSS", 'sum(process_resident_memory_bytes{job="$job"})',
        MEGABYTES, LeakThresholds(5e6, 2.0, 2e6),
    ),
    Resource(
        "service_open_fds", "service open fds", 'sum(process_open_fds{job="$job"})',
        Unit("fds"), LeakThresholds(10, 5.0, 5),
    ),
    Resource(
        "service_loop_lag_p99_seconds", "service event-loop lag p99",
        "histogram_quantile(0.99, sum by (le) "
        '(rate(recommender_event_loop_lag_seconds_bucket{job="$job"}[$window])))',
        MILLISECONDS, LeakThresholds(5e-3, 10.0, 2e-3), GrowthStatus.DRIFTING,
    ),
    Resource("harness_rss_bytes", "harness RSS", None, MEGABYTES, LeakThresholds(5e6, 2.0, 2e6)),
)  # fmt: skip


@dataclass(frozen=True)
class Series:
    times_s: tuple[float, ...]  # Unix seconds
    values: tuple[float, ...]  # raw units: bytes, fds, seconds


class ResourceSampler:
    """Thread-safe: the soak loop samples on its thread; findings and report are read at the end."""

    def __init__(
        self,
        api: PrometheusAPI,
        service_job: str,
        harness_pid: int | None = None,
        resources: Sequence[Resource] = RESOURCES,
        lag_window_s: float = LAG_WINDOW_S,
    ) -> None:
        self._api = api
        self._job = service_job.replace("\\", "\\\\").replace('"', '\\"')
        self._harness_pid = harness_pid if harness_pid is not None else os.getpid()
        self._resources = tuple(resources)
        self._window = f"{lag_window_s:g}s"
        self._lock = threading.Lock()
        self._started: float | None = None
        self._times: dict[str, list[float]] = {r.key: [] for r in self._resources}
        self._values: dict[str, list[float]] = {r.key: [] for r in self._resources}
        self._skipped: dict[str, int] = dict.fromkeys(self._times, 0)
        self._why: dict[str, str] = {}

    def sample(self, now: float) -> dict[str, float]:
        """Record each resource at Unix time ``now``; returns the values it got (skips absent)."""
        got: dict[str, float] = {}
        unreachable: str | None = None
        for resource in self._resources:
            value, why = None, unreachable or "no data"
            if resource.query is None:
                value, why = self._harness_rss()
            elif unreachable is None:
                query = resource.query.replace("$job", self._job).replace("$window", self._window)
                try:
                    value = self._api.value(query, at=now)
                except InconclusiveError as exc:
                    why = unreachable = str(exc)
                except QueryError as exc:
                    why = str(exc)
            with self._lock:
                if self._started is None:
                    self._started = now
                if value is None:
                    self._skipped[resource.key] += 1
                    self._why[resource.key] = why
                    continue
                self._times[resource.key].append(now)
                self._values[resource.key].append(value)
            got[resource.key] = value
        return got

    def series(self) -> dict[str, Series]:
        with self._lock:
            return {
                key: Series(tuple(self._times[key]), tuple(self._values[key]))
                for key in self._times
            }

    def findings(self, skip_first_s: float) -> list[Finding]:
        """One finding per resource, judged after the first ``skip_first_s`` of the soak."""
        series = self.series()
        with self._lock:
            started, skipped, why = self._started, dict(self._skipped), dict(self._why)
        findings = []
        for resource in self._resources:
            times, values = series[resource.key].times_s, series[resource.key].values
            # The warm-up counts from the first sample of the soak, not of this series.
            skip = max(0.0, (started or 0.0) + skip_first_s - times[0]) if times else 0.0
            limits = resource.thresholds
            finding = judge_growth(
                fit_trend(times, values, skip_first_s=skip),
                limits.min_slope_per_h, limits.min_relative_pct_per_h,
                what=resource.what, unit=resource.unit, growing=resource.growing,
                min_total=limits.min_total,
            )  # fmt: skip
            if finding.status is GrowthStatus.INSUFFICIENT_DATA and skipped[resource.key]:
                reason = f"{skipped[resource.key]} samples skipped, the last: {why[resource.key]}"
                finding = dataclasses.replace(finding, sentence=f"{finding.sentence}; {reason}")
            findings.append(dataclasses.replace(finding, series=resource.key))
        return findings

    def report(self) -> ResourcesDoc:
        """For result.json: each series (seconds since the first sample, 6 significant digits)."""
        series = self.series()
        with self._lock:
            started, skipped = self._started, dict(self._skipped)
        return {
            "started_at": started,
            "series": {
                r.key: {
                    "what": r.what,
                    "unit": r.unit.symbol,  # values are raw: ``scale`` of them make one ``unit``
                    "scale": r.unit.scale,
                    "t_s": [round(t - (started or 0.0), 1) for t in series[r.key].times_s],
                    "values": [float(f"{v:.6g}") for v in series[r.key].values],
                    "skipped": skipped[r.key],
                }
                for r in self._resources
            },
        }

    def _harness_rss(self) -> tuple[float | None, str]:
        try:
            return float(psutil.Process(self._harness_pid).memory_info().rss), ""
        except psutil.Error as exc:
            return None, f"the harness's process {self._harness_pid}: {exc}"
