"""The harness's own SLO model, independent of the spec format it was read from (OpenSLO, Sloth).

spec files ─► (openslo | sloth) ─► SLO ─► evaluation (gate, soak) / generation (rules)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["SLO", "WINDOW_PLACEHOLDER", "LatencyThreshold", "render_query"]

# Queries carry this placeholder (OpenSLO style {{window}}, Sloth style {{.window}}); the harness
# fills it with the window it evaluates over.
WINDOW_PLACEHOLDER = re.compile(r"\{\{\s*\.?window\s*\}\}")
_RATE = re.compile(r"\b(?:i?rate)\s*\(")


@dataclass(frozen=True)
class LatencyThreshold:
    """A latency SLI's threshold: the histogram it reads and the bucket bound it counts under."""

    metric: str  # the histogram's base name, e.g. http_server_request_duration_seconds
    le: float  # seconds; must be an exact bucket boundary of the metric
    matchers: str = ""  # the other label matchers, e.g. 'http_route="/home"'


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
    time_window_s: float = 28 * 86400  # the SLO's own window, for budget arithmetic and rules
    display_name: str = ""
    description: str = ""
    latency: LatencyThreshold | None = None
    alert_policies: tuple[str, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)
    alert_name: str = ""  # the base name of generated alerts; derived from ``name`` when empty
    line: int | None = None  # where in ``source`` it is defined, for error messages

    @property
    def error_budget(self) -> float:
        """The share of events allowed to be bad."""
        return 1.0 - self.objective

    @property
    def total_is_rate(self) -> bool:
        """Sloth-style queries use ``rate()``: the total is events per second, not a count."""
        return bool(
            self.total_query
            and _RATE.search(self.total_query)
            and "increase(" not in self.total_query
        )

    def queries(self) -> dict[str, str]:
        """The queries by role (good, bad, total, raw), placeholders unfilled."""
        roles = {
            "good": self.good_query,
            "bad": self.bad_query,
            "total": self.total_query,
            "raw": self.raw_query,
        }
        return {role: query for role, query in roles.items() if query is not None}


def render_query(query: str, window: str) -> str:
    """Fill the ``{{window}}`` placeholder with a PromQL range such as ``45000ms``."""
    return WINDOW_PLACEHOLDER.sub(window, query)
