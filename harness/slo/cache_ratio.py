"""The service's cache hit ratio over the window, from its own ``recommender_cache_requests_total``
(the reference service's; any service exporting a counter of that name with a ``result="hit"``
label is read the same way). A run whose traffic hits the cache for nearly everything measures
the cache, not the service: the summary and report show the ratio beside the distinct visitors.
"""

from __future__ import annotations

from harness.durations import promql_duration
from harness.prometheus_api import PrometheusAPI, QueryError
from harness.values.run_result import LoadWindow

__all__ = ["CACHE_REQUESTS_TOTAL", "cache_hit_ratio"]

CACHE_REQUESTS_TOTAL = "recommender_cache_requests_total"  # labels cache, result (hit | miss)


def cache_hit_ratio(api: PrometheusAPI, window: LoadWindow) -> float | None:
    """Hits over lookups inside ``window``; None when the service exports no lookups (or
    Prometheus cannot say): a ratio that cannot be measured is shown as unknown, never as 0."""
    rng = promql_duration(window.seconds)
    # A duet's baseline service is stored under renamed metrics, so this is the candidate's.
    hits = f'sum(increase({CACHE_REQUESTS_TOTAL}{{result="hit"}}[{rng}]))'
    query = f"{hits} / sum(increase({CACHE_REQUESTS_TOTAL}[{rng}]))"
    try:
        value = api.value(query, at=window.end)
    except QueryError:
        return None
    return value if value is not None and 0.0 <= value <= 1.0 else None
