"""The soak section of result.json, typed: what ``loadgate soak``'s monitor saw, as it states it.

The monitor (harness/soak/monitor.py) writes it; report.html's soak part reads it. Everything the
report shows is stated here — when each alert fired, each burn-rate window's length, whether each
SLO was watched, which trend judges which resource — so the report draws and never re-derives.
Field by field: docs/result-json.md, "The soak section"; as a schema: docs/result-json.schema.json.
"""

from __future__ import annotations

from typing import Literal, TypedDict

__all__ = [
    "AlertCheckDoc", "AlertDoc", "AlertSeverity", "BurnAlertDoc", "BurnSampleDoc", "CoverageDoc",
    "DeliveryDoc", "EventKind", "FindingDoc", "FiringDoc", "GrowthName", "ResourcesDoc",
    "SeriesDoc", "SoakDoc", "TrendDoc",
]  # fmt: skip

AlertSeverity = Literal["page", "ticket"]
EventKind = Literal["trigger", "resolve", "change"]  # what was sent to PagerDuty
GrowthName = Literal["leaking", "drifting", "flat", "insufficient_data"]


class BurnAlertDoc(TypedDict):
    """One alert of an SLO's burn-rate policy, in soak time."""

    severity: AlertSeverity
    long_s: float
    short_s: float
    burn: float  # fires when both windows burn faster than this


class AlertCheckDoc(TypedDict):
    """One window pair's burn rates at one evaluation."""

    long_s: float
    short_s: float
    threshold: float
    long_burn: float | None  # None: no data in that window
    short_burn: float | None
    firing: bool  # both windows above the threshold


class AlertDoc(TypedDict):
    """A transition: an SLO's alert of one severity started or stopped firing."""

    at_s: float  # into the soak
    slo: str
    severity: AlertSeverity
    event: Literal["started", "cleared"]
    checks: list[AlertCheckDoc]  # that SLO's checks of that severity; none when the soak ended
    worst: int | None  # the index in checks of the one that explains it best; None: no checks


class FiringDoc(TypedDict):
    """One span during which an SLO's alert of one severity fired."""

    slo: str
    severity: AlertSeverity
    start_s: float  # into the soak
    end_s: float | None  # None: still firing when the report was written


class BurnSampleDoc(TypedDict):
    t: float  # into the soak
    burn: dict[str, dict[str, float | None]]  # SLO → window ("10s") → burn rate; None: no data


class CoverageDoc(TypedDict):
    evaluations: int  # after the warm-up and the shortest window
    with_data: dict[str, int]  # SLO → evaluations with data in every page-level window
    min_share: float
    watched: dict[str, bool]  # SLO → whether enough evaluations had data (the judgement)


class DeliveryDoc(TypedDict):
    kind: EventKind
    dedup_key: str | None  # None for change events
    ok: bool
    attempts: int  # HTTP requests made
    detail: str


class SeriesDoc(TypedDict):
    what: str  # what a sentence calls it: "service RSS"
    unit: str  # "MB", "fds", "ms"; "" for a plain count
    scale: float  # values are raw: this many of them make one unit
    t_s: list[float]  # since the first sample of any resource
    values: list[float]
    skipped: int  # samples without a value


class ResourcesDoc(TypedDict):
    started_at: float | None  # Unix seconds of the first sample
    series: dict[str, SeriesDoc]


class TrendDoc(TypedDict):
    slope_per_h: float
    ci_low_per_h: float
    ci_high_per_h: float
    reference: float
    span_s: float
    samples: int
    points: int
    autocorrelation: float
    confidence: float


class FindingDoc(TypedDict):
    what: str
    status: GrowthName
    sentence: str
    trend: TrendDoc | None
    not_ruled_out: bool
    series: str | None  # the key in resources.series it judges; None: an endpoint's p99


class SoakDoc(TypedDict):
    policies: dict[str, list[BurnAlertDoc]]  # SLO → its alerts in soak time
    evaluate_every_s: float
    alerts: list[AlertDoc]
    firing: list[FiringDoc]  # the alerts' spans, in the order they started
    burn_history: list[BurnSampleDoc]
    burn_windows: dict[str, dict[str, float]]  # SLO → window key in burn_history → seconds
    coverage: CoverageDoc | None  # None: the soak ended before its monitor started
    pages: list[DeliveryDoc]
    resources: ResourcesDoc | None  # None: the soak ended before its monitor started
    findings: list[FindingDoc]
    aborted: str | None  # why the load was stopped early (--abort-on-page)
    problems: list[str]
