"""Reading what the plugin wrote in each Locust process: the window and per-endpoint HDR histograms.

Histograms from all processes are merged before percentiles are taken, so percentiles are exact
(3 significant digits) for the whole run, not averages of per-process percentiles.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hdrh.histogram import HdrHistogram

from harness.load.client_metrics import CLIENT_RESULTS_GLOB, WINDOW_FILE
from harness.model import ClientStats, EndpointStats, LoadWindow

__all__ = ["ClientResults", "read_client_results"]

PERCENTILES = {"p50_ms": 50.0, "p90_ms": 90.0, "p95_ms": 95.0, "p99_ms": 99.0, "p999_ms": 99.9}


@dataclass(frozen=True)
class ClientResults:
    window: LoadWindow | None  # None when the load stopped before the warm-up ended
    client: ClientStats | None  # None when no process wrote results (it crashed, or never started)
    processes: int  # how many load-generating processes reported


def read_client_results(results_dir: Path) -> ClientResults:
    window = _read_window(results_dir / WINDOW_FILE)
    merged: dict[tuple[str, str], list[Any]] = {}
    files = sorted(results_dir.glob(CLIENT_RESULTS_GLOB))
    for path in files:
        payload = json.loads(path.read_text(encoding="utf-8"))
        for entry in payload["endpoints"]:
            key = (entry["name"], entry["method"])
            histogram = HdrHistogram.decode(entry["hdr_us"].encode("ascii"))
            if key in merged:
                merged[key][0] += entry["requests"]
                merged[key][1] += entry["failures"]
                merged[key][2].add(histogram)
            else:
                merged[key] = [entry["requests"], entry["failures"], histogram]
    if not files:
        return ClientResults(window, None, 0)
    endpoints = tuple(
        _stats(name, method, *values) for (name, method), values in sorted(merged.items())
    )
    total_histogram: HdrHistogram | None = None
    for _, _, histogram in merged.values():
        if total_histogram is None:
            total_histogram = HdrHistogram.decode(histogram.encode())
        else:
            total_histogram.add(histogram)
    total = _stats(
        "Aggregated",
        "",
        sum(e.requests for e in endpoints),
        sum(e.failures for e in endpoints),
        total_histogram,
    )
    return ClientResults(window, ClientStats(total=total, endpoints=endpoints), len(files))


def _read_window(path: Path) -> LoadWindow | None:
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    start, end = payload.get("start"), payload.get("end")
    if not isinstance(start, int | float) or not isinstance(end, int | float) or end <= start:
        return None
    return LoadWindow(start=float(start), end=float(end))


def _stats(
    name: str, method: str, requests: int, failures: int, histogram: HdrHistogram | None
) -> EndpointStats:
    empty = histogram is None or histogram.get_total_count() == 0

    def ms(percentile: float) -> float | None:
        if empty or histogram is None:
            return None
        return float(histogram.get_value_at_percentile(percentile)) / 1000.0

    return EndpointStats(
        name=name,
        method=method,
        requests=requests,
        failures=failures,
        max_ms=None if empty or histogram is None else histogram.get_max_value() / 1000.0,
        **{key: ms(p) for key, p in PERCENTILES.items()},
    )
