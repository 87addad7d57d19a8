"""The harness's own SLO model, independent of the spec format it was read from (OpenSLO, Sloth).

spec files ─► (openslo | sloth) ─► SLO ─► evaluation (gate, soak) / generation (rules)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TypedDict

from harness.values.client_metrics import CLIENT_REQUESTS_TOTAL

__all__ = [
    "CLIENT_EVENTS_QUERY",
    "EVENTS_ANNOTATION",
    "SLO",
    "WINDOW_PLACEHOLDER",
    "AlertSettings",
    "LatencyThreshold",
    "SLOQueries",
    "render_query",
]

# Queries carry this placeholder (OpenSLO style {{window}}, Sloth style {{.window}}); the harness
# fills it with the window it evaluates over.
WINDOW_PLACEHOLDER = re.compile(r"\{\{\s*\.?window\s*\}\}")
_RATE = re.compile(r"\b(?:i?rate)\s*\(")
# A raw ratio carries no event count, and gate.min_events needs one. The file can name its own
# (OpenSLO: this annotation on the SLO or its SLI); otherwise the requests the load generator sent
# in the window are counted — every Locust process the harness runs exports this counter.
EVENTS_ANNOTATION = "loadgate/events-query"
CLIENT_EVENTS_QUERY = f"sum(increase({CLIENT_REQUESTS_TOTAL}[{{{{window}}}}]))"


@dataclass(frozen=True)
class LatencyThreshold:
    """A latency SLI's threshold: the histogram it reads and the bucket bound it counts under."""

    metric: str  # the histogram's base name, e.g. http_server_request_duration_seconds
    le: float  # seconds; must be an exact bucket boundary of the metric
    matchers: str = ""  # the other label matchers, e.g. 'http_route="/home"'


@dataclass(frozen=True)
class AlertSettings:
    """What the file says about one generated burn alert (Sloth's ``page_alert``/``ticket_alert``,
    already merged with ``alerting.labels``/``annotations``): carried into the rule, never dropped."""

    disabled: bool = False  # Sloth's ``disable: true``: no such alert is generated
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)


class SLOQueries(TypedDict, total=False):
    """The query fields of an ``SLO``, as a file reader gathers them before building it."""

    total_query: str | None
    good_query: str | None
    bad_query: str | None
    raw_query: str | None
    raw_is_failure: bool
    events_query: str | None
    latency: LatencyThreshold | None
    rewritten: tuple[str, ...]


@dataclass(frozen=True)
class SLO:
    """A ratio SLO: SLI = good / total, 1 − bad / total, or a raw ratio; met when SLI ≥ objective."""

    name: str
    service: str
    source: str  # the file it was defined in
    objective: float  # a ratio in (0, 1)
    total_query: str | None = None
    good_query: str | None = None
    bad_query: str | None = None
    raw_query: str | None = None  # a query returning the ratio itself
    raw_is_failure: bool = False  # the raw ratio counts failures (1 − raw is the SLI)
    events_query: str | None = None  # a raw ratio's own event count (EVENTS_ANNOTATION)
    time_window_s: float = 28 * 86400  # the SLO's own window, for budget arithmetic and rules
    display_name: str = ""
    description: str = ""
    latency: LatencyThreshold | None = None
    # OpenSLO alert policies the SLO names: not translated (loadgate's burn-rate policy makes its
    # alerts); kept so validate and rules say so (loader.slo_notes), never silently dropped.
    alert_policies: tuple[str, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)
    alert_name: str = ""  # the base name of generated alerts; derived from ``name`` when empty
    page_alert: AlertSettings = field(default_factory=AlertSettings)
    ticket_alert: AlertSettings = field(default_factory=AlertSettings)
    # The SLO's name within its service, as a Sloth spec writes it (``name`` is then
    # ``<service>-<name>``); empty when ``name`` is already that (OpenSLO). Sloth's ``sloth_slo``.
    name_in_service: str = ""
    spec: str = "openslo/v1"  # the format it was read from, for the rules' ``sloth_slo_info``
    # What loadgate changed in a query written without {{window}}, one sentence each (OpenSLO):
    # the SLO's detail says it, so a result never hides that its query was not the one written.
    rewritten: tuple[str, ...] = ()
    line: int | None = None  # where in ``source`` it is defined, for error messages

    @property
    def error_budget(self) -> float:
        """The share of events allowed to be bad."""
        return 1.0 - self.objective

    @property
    def count_query(self) -> str | None:
        """The query counting the SLO's events over the window, for ``gate.min_events``: the
        total; for a raw ratio its own events query, or else the load generator's requests."""
        if self.raw_query is None:
            return self.total_query
        return self.events_query or CLIENT_EVENTS_QUERY

    @property
    def total_is_rate(self) -> bool:
        """Sloth-style queries use ``rate()``: the count is events per second, not a count."""
        query = self.count_query
        return bool(query and _RATE.search(query) and "increase(" not in query)

    def queries(self) -> dict[str, str]:
        """The queries the file gives, by role (good, bad, total, raw, events), unfilled."""
        roles = {
            "good": self.good_query,
            "bad": self.bad_query,
            "total": self.total_query,
            "raw": self.raw_query,
            "events": self.events_query,
        }
        return {role: query for role, query in roles.items() if query is not None}


def render_query(query: str, window: str) -> str:
    """Fill the ``{{window}}`` placeholder with a PromQL range such as ``45000ms``."""
    return WINDOW_PLACEHOLDER.sub(window, query)
