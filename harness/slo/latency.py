"""Latency SLIs: "the share of requests faster than X", read from a Prometheus histogram.

Such an SLI is only exact when X is a bucket boundary of the histogram: between boundaries,
Prometheus can only count the bucket below or above. So the harness finds the threshold in the
SLO's queries and checks it — statically for the load generator's own histogram (its buckets are
known), and against Prometheus for any other metric.
"""

from __future__ import annotations

import math
import re

from harness.values.client_metrics import CLIENT_HISTOGRAM, LATENCY_BUCKETS
from harness.values.slo import LatencyThreshold

__all__ = [
    "boundary_problem",
    "histogram_queries",
    "known_boundaries",
    "threshold_in_query",
]

_BUCKET_SELECTOR = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)_bucket\s*\{([^}]*)\}")
_LE = re.compile(r"""\s*le\s*=\s*"([^"]+)"\s*,?""")
_SELECTOR = re.compile(r"^\s*([a-zA-Z_:][a-zA-Z0-9_:]*?)(?:_bucket|_count)?\s*(?:\{([^}]*)\})?\s*$")


def threshold_in_query(good_query: str) -> LatencyThreshold | None:
    """The histogram and ``le`` a good-events query counts under, if it reads a bucket."""
    match = _BUCKET_SELECTOR.search(good_query)
    if match is None:
        return None
    metric, matchers = match.group(1), match.group(2)
    le = _LE.search(matchers)
    if le is None:
        return None
    try:
        bound = float(le.group(1))
    except ValueError:
        return None
    others = _LE.sub("", matchers).strip().strip(",").strip()
    return LatencyThreshold(metric=metric, le=bound, matchers=others)


def histogram_queries(selector: str, le: float) -> tuple[str, str, LatencyThreshold] | None:
    """Good and total queries for "requests faster than ``le``" from a histogram selector.

    ``http_server_request_duration_seconds{http_route="/home"}`` (with or without ``_bucket``)
    gives ``sum(increase(…_bucket{http_route="/home", le="0.1"}[{{window}}]))`` over
    ``sum(increase(…_count{http_route="/home"}[{{window}}]))``. ``None`` if it is not a selector.
    """
    match = _SELECTOR.match(selector)
    if match is None:
        return None
    metric, matchers = match.group(1), (match.group(2) or "").strip()
    separator = ", " if matchers else ""
    good = f'sum(increase({metric}_bucket{{{matchers}{separator}le="{le:g}"}}[{{{{window}}}}]))'
    total = f"sum(increase({metric}_count{{{matchers}}}[{{{{window}}}}]))"
    return good, total, LatencyThreshold(metric=metric, le=le, matchers=matchers)


def known_boundaries(metric: str) -> tuple[float, ...] | None:
    """Bucket boundaries the harness knows without asking Prometheus (its own client histogram)."""
    return LATENCY_BUCKETS if metric == CLIENT_HISTOGRAM else None


def boundary_problem(
    threshold: LatencyThreshold, boundaries: list[float] | tuple[float, ...]
) -> str | None:
    """``None`` if the threshold is a boundary; else what is wrong and the nearest boundaries."""
    finite = sorted(b for b in boundaries if math.isfinite(b))
    if any(math.isclose(threshold.le, b, rel_tol=1e-9) for b in finite):
        return None
    below = [b for b in finite if b < threshold.le][-1:]
    above = [b for b in finite if b > threshold.le][:1]
    nearest = " or ".join(f"{b:g}" for b in below + above) or "none"
    return (
        f"latency threshold {threshold.le:g}s is not a bucket boundary of {threshold.metric}, so the "
        f"SLI could not be exact; allowed: a boundary, the nearest being {nearest}"
    )
