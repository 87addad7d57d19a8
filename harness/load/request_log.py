"""One record per request: the only work the plugin does for each request Locust reports.

The request event appends four numbers (when the request finished, its latency corrected for
coordinated omission, its plain latency, whether it failed) to its series' buffer. Everything
else is computed from the buffers in batches, with numpy, when the buffers are *folded*:

* the contract's request counter and latency histogram, ``loadgate_client_requests_total`` and
  ``loadgate_client_request_duration_seconds`` (names, labels and buckets unchanged), which this
  collector produces from running totals whenever Prometheus scrapes;
* the window's exact HDR histograms (``window.py``): whether a request finished inside the
  window is judged at the fold, from its finishing time; the bounds it is judged against are
  set before the requests they include or exclude have been folded (the start before the users
  start, the end as the load stops, and the results are folded after both).

Folds happen at every scrape, every ``FOLD_AT`` requests (memory stays bounded under plain
``locust``, where nobody scrapes), and before the window's results are written.

Before, each request updated a Prometheus counter, a 105-bucket Prometheus histogram (both
behind gevent-patched locks) and an HDR histogram in pure Python: about 5 µs of the generator's
CPU per request, which is load the generator could not send (docs/performance.md, generator).

No lock: Locust runs under gevent, where the exporter's server thread is a greenlet, and nothing
between an append and a fold yields, so a fold never sees half a record. A fold swaps the
buffers out before reading them.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from prometheus_client.metrics_core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString

from harness.load.window import WindowRecorder
from harness.values.client_metrics import (
    CLIENT_HISTOGRAM,
    CLIENT_REQUESTS,
    LATENCY_BUCKETS,
    OUTCOME_ERROR,
    OUTCOME_OK,
    SIDE_LABEL,
)

__all__ = ["FOLD_AT", "RequestLog", "Series"]

Series = tuple[str, str, str]  # (name, method, side)
FOLD_AT = 4096  # requests buffered per series before a fold (32 bytes each)
FIELDS = 4  # finished (epoch s), corrected ms, response ms, failed (0 or 1)


@dataclass
class _Totals:
    """One series' counts since the process started, as the Prometheus counter and histogram
    would hold them; ``buckets`` are per bucket (not cumulative), the last one +Inf."""

    bucket_count: int
    ok: int = 0
    errors: int = 0
    seconds: float = 0.0
    buckets: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.buckets = np.zeros(self.bucket_count, dtype=np.int64)

    def add(self, corrected_ms: np.ndarray, failed: np.ndarray, bounds: np.ndarray) -> None:
        errors = int(np.count_nonzero(failed))
        self.errors += errors
        self.ok += int(failed.size) - errors
        seconds = corrected_ms / 1000.0
        # Histogram.observe counts a value in the first bucket whose bound is >= the value:
        # searchsorted's "left" side is that index (len(bounds) for +Inf).
        where = np.searchsorted(bounds, seconds, side="left")
        self.buckets += np.bincount(where, minlength=self.bucket_count)
        self.seconds += float(seconds.sum())


class RequestLog(Collector):
    """Buffers every request's record; folds them into the exported series and the window."""

    def __init__(self, window: WindowRecorder, buckets: Sequence[float] = LATENCY_BUCKETS) -> None:
        self._window = window
        self._bounds = np.asarray(buckets, dtype=np.float64)
        # The exposition format's spelling of each bound, as prometheus_client's Histogram writes it.
        self._le = [floatToGoString(bound) for bound in buckets] + ["+Inf"]  # type: ignore[no-untyped-call]
        self._pending: dict[Series, array[float]] = {}
        self._totals: dict[Series, _Totals] = {}

    def append(
        self, series: Series, finished: float, corrected_ms: float, response_ms: float, failed: bool
    ) -> None:
        """The per-request hot path: keep it to a lookup and an append."""
        buffer = self._pending.get(series)
        if buffer is None:
            buffer = self._pending[series] = array("d")
        buffer.extend((finished, corrected_ms, response_ms, failed))
        if len(buffer) >= FOLD_AT * FIELDS:
            self.fold()

    def fold(self) -> None:
        """Move every buffered record into the totals and, if it finished inside, the window."""
        pending, self._pending = self._pending, {}
        for series, buffer in pending.items():
            rows = np.frombuffer(buffer, dtype=np.float64).reshape(-1, FIELDS)
            finished, corrected, response, failed = rows[:, 0], rows[:, 1], rows[:, 2], rows[:, 3]
            failures = failed != 0.0
            totals = self._totals.get(series)
            if totals is None:
                totals = self._totals[series] = _Totals(len(self._le))
            totals.add(corrected, failures, self._bounds)
            inside = self._window.holds(finished)
            if inside.any():
                self._window.record_many(
                    series, response[inside], corrected[inside], failures[inside]
                )

    def collect(self) -> list[Metric]:
        self.fold()
        requests = CounterMetricFamily(
            CLIENT_REQUESTS,
            "Requests completed by the load generator.",
            labels=["name", "method", "outcome", SIDE_LABEL],
        )
        duration = HistogramMetricFamily(
            CLIENT_HISTOGRAM,
            "Request duration seen by the client, from the intended start in the open model.",
            labels=["name", "method", SIDE_LABEL],
        )
        for (name, method, side), totals in sorted(self._totals.items()):
            # Both outcomes from the first request on: "no errors" is a 0, not a missing series
            # an SLO would have to read as "no data".
            requests.add_metric([name, method, OUTCOME_OK, side], totals.ok)
            requests.add_metric([name, method, OUTCOME_ERROR, side], totals.errors)
            cumulative = np.cumsum(totals.buckets).tolist()
            duration.add_metric(
                [name, method, side], list(zip(self._le, cumulative, strict=True)), totals.seconds
            )
        return [requests, duration]
