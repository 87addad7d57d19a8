"""What one Locust process measured inside the window: per-endpoint counts and HDR histograms,
latency both corrected for coordinated omission and not, open-model arrival counts, iterations
and the exceptions the locustfile's users raised, what the locustfile reported of its traffic
(sessions, visitors, checks), and the process's own CPU.

Pure (no Locust, no gevent): the plugin feeds it, and tests can too.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field

import numpy as np
from hdrh.histogram import HdrHistogram

from harness.load.pairs import PairedRequests
from harness.load.traffic_tally import TrafficTally
from harness.values.run_result import LoadWindow

__all__ = ["HDR_MAX_US", "EndpointRecord", "WindowRecorder"]

HDR_MAX_US = 3_600_000_000  # one hour, in microseconds: anything longer is clamped
ERROR_KINDS = 5  # distinct exception messages kept per process, to name in the verdict


def _histogram() -> HdrHistogram:
    return HdrHistogram(1, HDR_MAX_US, 3)


def _record_many(histogram: HdrHistogram, ms: np.ndarray) -> None:
    """``histogram.record_value`` for every value at once: the same counts, total, min and max.

    The plugin folds thousands of requests at a time (``request_log.py``); one Python call per
    value would cost what batching saves. The index arithmetic is hdrh's own
    (``_counts_index_for``), vectorised: ``64 - clz(v)`` is ``v``'s bit length, which ``frexp``
    gives exactly for integers below 2**53 (HDR_MAX_US is far below).
    """
    if ms.size == 0:
        return
    values = np.clip(np.rint(ms * 1000.0), 1, HDR_MAX_US).astype(np.int64)  # rint: round()'s ties
    _, bit_length = np.frexp((values | histogram.sub_bucket_mask).astype(np.float64))
    bucket = bit_length - histogram.unit_magnitude - (histogram.sub_bucket_half_count_magnitude + 1)
    sub_bucket = values >> (bucket + histogram.unit_magnitude)
    index = ((bucket + 1) << histogram.sub_bucket_half_count_magnitude) + (
        sub_bucket - histogram.sub_bucket_half_count
    )
    counts = np.ctypeslib.as_array(histogram.counts)  # a view: hdrh's own storage
    counts += np.bincount(index, minlength=histogram.counts_len).astype(counts.dtype)
    histogram.total_count += int(values.size)
    histogram.min_value = min(histogram.min_value, int(values.min()))
    histogram.max_value = max(histogram.max_value, int(values.max()))


@dataclass
class EndpointRecord:
    requests: int = 0
    failures: int = 0
    corrected: HdrHistogram = field(default_factory=_histogram)  # from the intended start
    uncorrected: HdrHistogram = field(default_factory=_histogram)  # from the actual start


@dataclass
class Arrivals:
    """Open-model arrivals whose intended start fell inside the window."""

    scheduled: int = 0  # of this process's schedule as drawn (the dispatcher's, at its stop)
    started: int = 0
    dropped: int = 0
    expected: float = (
        0.0  # what the profile asks for inside the window (set when the window closes)
    )
    cut: int = 0  # still queued, on time, when the window closed (set when the window closes)


class WindowRecorder:
    def __init__(self) -> None:
        self.start: float | None = None
        self.end: float | None = None
        self.endpoints: dict[tuple[str, str, str], EndpointRecord] = {}  # (name, method, side)
        self.arrivals = Arrivals()
        self.separate_uncorrected = False  # the open model times two ways; the closed model one
        self.iterations = 0  # tasks that ran to their end inside the window
        self.user_errors = 0  # tasks (or on_start) that raised inside the window
        self.error_kinds: dict[str, int] = {}  # "Type: message" -> count, the first ERROR_KINDS
        self.cpu_max: float | None = None  # this process's own CPU, % of a core, in the window
        self.cpu_samples = 0
        self.folded: list[str] = []  # the first request names folded into "(other)"
        self.paired: PairedRequests | None = None  # a closed-model duet's paired requests
        self.traffic = TrafficTally()  # what the locustfile reported: sessions, visitors, checks

    def is_open(self, at: float) -> bool:
        return self.start is not None and at >= self.start and (self.end is None or at <= self.end)

    def record_many(
        self,
        series: tuple[str, str, str],
        response_ms: np.ndarray,
        corrected_ms: np.ndarray,
        failed: np.ndarray,
    ) -> None:
        """Requests of one (name, method, side) that finished inside the window, as arrays."""
        if response_ms.size == 0:
            return
        entry = self.endpoints.get(series)
        if entry is None:  # not setdefault: that would build two histograms on every call
            entry = self.endpoints[series] = EndpointRecord()
        entry.requests += int(response_ms.size)
        entry.failures += int(np.count_nonzero(failed))
        _record_many(entry.corrected, corrected_ms)
        if self.separate_uncorrected:
            _record_many(entry.uncorrected, response_ms)

    def holds(self, finished: np.ndarray) -> np.ndarray:
        """``is_open`` for many finishing times at once."""
        if self.start is None:
            return np.zeros(finished.shape, dtype=bool)
        inside = finished >= self.start
        return inside if self.end is None else inside & (finished <= self.end)

    def user_error(self, exception: BaseException) -> None:
        self.user_errors += 1
        kind = f"{type(exception).__name__}: {exception}"[:200]
        if kind in self.error_kinds or len(self.error_kinds) < ERROR_KINDS:
            self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1

    def cpu_sample(self, since: float, at: float, percent: float) -> None:
        """A CPU reading covering [since, at]; it counts when most of that lies in the window."""
        if self.start is None:
            return
        window = LoadWindow(self.start, at if self.end is None else self.end)
        if not window.holds_most_of(since, at):
            return
        self.cpu_samples += 1
        self.cpu_max = percent if self.cpu_max is None else max(self.cpu_max, percent)

    def as_json(self) -> dict[str, object]:
        return {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "arrivals": vars(self.arrivals),
            "iterations": self.iterations,
            "user_errors": self.user_errors,
            "error_kinds": self.error_kinds,
            "cpu": {"max": self.cpu_max, "samples": self.cpu_samples},
            "folded_names": self.folded,
            "traffic": self.traffic.as_json(),
            **(
                {"paired_log_ratios": self.paired.as_json()}
                if self.paired and self.paired.ratios
                else {}
            ),
            "endpoints": [
                {
                    "name": name,
                    "method": method,
                    **({"side": side} if side else {}),  # a duet's side; absent outside a duet
                    "requests": entry.requests,
                    "failures": entry.failures,
                    "hdr_us": entry.corrected.encode().decode("ascii"),  # compressed, base64
                    **(
                        {"uncorrected_hdr_us": entry.uncorrected.encode().decode("ascii")}
                        if self.separate_uncorrected
                        else {}
                    ),
                }
                for (name, method, side), entry in sorted(self.endpoints.items())
            ],
        }
