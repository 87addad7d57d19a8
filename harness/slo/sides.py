"""One side of a duet in an SLO's query: the candidate's requests, not the sum of both sides.

In a duet the load generator labels each request with its side (``side="baseline"`` or
``"candidate"``; empty outside a duet). An SLO written for a plain run —
``sum(rate(loadgate_client_requests_total{outcome="error"}[…]))`` — would add both sides up, so
before a duet's SLOs are evaluated every selector of a ``loadgate_client_*`` metric gains a
matcher for the side judged. The service's own metrics need no rewriting: only the candidate
service is scraped under its usual names (harness/stack/prometheus.py). Pure.
"""

from __future__ import annotations

import re
from dataclasses import replace

from harness.values.client_metrics import (
    BASELINE_SIDE,
    CANDIDATE_SIDE,
    CLIENT_METRIC_PREFIX,
    SIDE_LABEL,
)
from harness.values.slo import SLO

__all__ = ["candidate_slos", "one_side"]

# A client metric's name, not inside a string (label values are quoted and never matched: the
# lookbehind excludes names that follow a quote or a word character).
_CLIENT_SELECTOR = re.compile(
    rf'(?<![\w"\'])({CLIENT_METRIC_PREFIX}[A-Za-z0-9_:]*)(\s*\{{)?(\s*\}})?'
)


def one_side(query: str, side: str) -> str:
    """``query`` with every client-metric selector limited to ``side``'s requests.

    The candidate side matches ``side!="baseline"``, so a query keeps working on series written
    before the label existed; the baseline side matches ``side="baseline"``.
    """
    operator = "=" if side == BASELINE_SIDE else "!="
    matcher = f'{SIDE_LABEL}{operator}"{BASELINE_SIDE}"'

    def limited(match: re.Match[str]) -> str:
        name, brace, closed = match.group(1), match.group(2), match.group(3)
        if brace and not closed:
            return f"{name}{brace}{matcher}, "
        return f"{name}{{{matcher}}}"  # no braces, or empty ones

    return _CLIENT_SELECTOR.sub(limited, query)


def candidate_slos(slos: tuple[SLO, ...]) -> tuple[SLO, ...]:
    """A duet's SLOs, judged on the candidate: every query of each limited to its side."""
    return tuple(_candidate(slo) for slo in slos)


def _candidate(slo: SLO) -> SLO:
    def side(query: str | None) -> str | None:
        return None if query is None else one_side(query, CANDIDATE_SIDE)

    # A raw ratio without its own count is counted by the client's requests: the candidate's too.
    events = slo.count_query
    return replace(
        slo,
        total_query=side(slo.total_query),
        good_query=side(slo.good_query),
        bad_query=side(slo.bad_query),
        raw_query=side(slo.raw_query),
        events_query=side(events) if slo.raw_query is not None else slo.events_query,
    )
