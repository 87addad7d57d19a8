"""What a run's traffic exercised: the sessions and distinct visitors the locustfile reported,
its response checks, and the service's cache hit ratio — so a user sees whether a run measured
the service or its cache (result.json ``traffic``; docs/load.md)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CheckCount", "TrafficCounts"]


@dataclass(frozen=True)
class CheckCount:
    """One response check of one endpoint, over the window (``loadgate_check``)."""

    name: str
    check: str
    passed: int
    failed: int


@dataclass(frozen=True)
class TrafficCounts:
    """One side's traffic inside the window, summed over the load-generating processes."""

    sessions: int = 0  # sessions begun (``loadgate_session``)
    distinct_visitors: int = 0  # a union over the processes
    visitors_capped: bool = False  # a process kept no more visitors: the count is a lower bound
    checks: tuple[CheckCount, ...] = ()
    cache_hit_ratio: float | None = None  # the service's, from Prometheus; None: not exported
