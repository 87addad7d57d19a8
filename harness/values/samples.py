"""Per-window samples: one value per 5 s window of a run, per endpoint (or SLO) and metric —
what a baseline keeps, what the gate compares and what result.json holds."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from harness.values.run_result import PERCENTILE_RANKS, PercentileKey

__all__ = [
    "METRICS",
    "WINDOW_PERCENTILES",
    "WINDOW_S",
    "PerWindow",
    "PerWindowView",
    "WindowValues",
    "endpoint_key",
    "is_number",
]

# The per-window samples' window: the gate's samples, the burn-rate series and the p99 drift.
WINDOW_S = 5.0
# One value per consecutive WINDOW_S window of a run, ``None`` where Prometheus
# had no value for that window (no requests, a missed scrape): positions are time, so a gap stays a gap.
WindowValues = list[float | None]
# name (an endpoint, an SLO) → metric → its values per window, as result.json and baselines hold them.
PerWindow = dict[str, dict[str, WindowValues]]
# The same, as the functions that only read it accept it (a dict of lists of floats is one too).
PerWindowView = Mapping[str, Mapping[str, Sequence[float | None]]]

# The percentiles of each window: its median, p95 and p99. A window's few hundred requests say
# little about a p99.9 or a maximum.
WINDOW_PERCENTILES: tuple[PercentileKey, ...] = tuple(
    key for key, rank in PERCENTILE_RANKS.items() if rank in (50.0, 95.0, 99.0)
)
# What each endpoint's windows hold (harness/load/window_samples.py measures them).
METRICS: tuple[str, ...] = (*WINDOW_PERCENTILES, "error_ratio", "throughput")


def endpoint_key(method: str, name: str) -> str:
    """How an endpoint is named in samples, criteria and reports: "GET /v1/home"."""
    return f"{method} {name}".strip()


def is_number(value: object) -> bool:
    """A finite int or float (a bool is not a number here): anything else is a window without a value."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
