"""A duet's paired requests, window by window: one number per 5 s window and endpoint saying how
much slower the candidate was than the baseline, request for request.

Each pair's log-ratio ln(candidate ÷ baseline) is a measurement in which whatever the machine did
at that instant cancels (harness/load/pairs.py). A window keeps one summary of its ratios, and the
gate compares those summaries (harness/gate/duet.py). The summary is a **crossover mean**:

* **The two orders apart, then averaged.** The two requests of a pair leave the generator one
  after the other, and on a busy machine the second waits for a core behind the first: a 1–2 ms
  request sent second reads 30–50 % slower. Of a ci duet beside a busy neighbour, the trending
  page's ratios sat around −0.4 and +0.4 in every window (quartiles −0.42 and +0.43), and which
  mode a window's median fell in followed the share of pairs one side led: windows read −14 % and
  +28 % on unchanged services. The mean of the baseline-first pairs' and the candidate-first
  pairs' summaries cancels the order's effect, as a crossover trial cancels the period's.
* **Each order's summary is its interquartile mean**, the mean of the middle half: it moves
  smoothly with the data, as a median of few values does not, and ignores the outliers a plain
  mean would not (a pause on one side makes one ratio ±4).

docs/performance.md has the calibration trials that chose it. Pure (files in, numbers out): the
run reads it, the calibration benchmark re-reads saved runs with other summaries.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from harness.load.pairs import ORDERS
from harness.run_folder import CLIENT_RESULTS_GLOB
from harness.values.criteria import ALL_ENDPOINTS
from harness.values.run_result import LoadWindow
from harness.values.samples import WINDOW_S, endpoint_key

__all__ = [
    "MIN_PAIRS_EACH_ORDER",
    "WindowSummary",
    "crossover_mean",
    "interquartile_mean",
    "paired_windows",
    "pooled",
    "read_paired_windows",
]

MIN_PAIRS_EACH_ORDER = 3  # a window with fewer pairs in either order cannot cancel the order
MIN_PAIRS_POOLED = 5  # (a pooled summary, which ignores the order: the benchmark's comparison)
TRIMMED_EACH_SIDE = 0.25  # the interquartile mean drops the lowest and highest quarter
MIN_VARIANCE = 1e-6  # a window whose ratios are all alike (0.1 % apart) does not take every weight

# A window's summary of its baseline-first and candidate-first ratios (None: too few to say).
WindowSummary = Callable[[Sequence[float], Sequence[float]], float | None]


def interquartile_mean(ratios: Sequence[float]) -> float:
    """The mean of the middle half of ``ratios`` (the 25 % trimmed mean, as scipy's
    ``trim_mean(ratios, 0.25)``: ⌊n/4⌋ values cut from each end)."""
    ordered = sorted(ratios)
    cut = int(TRIMMED_EACH_SIDE * len(ordered))
    return statistics.fmean(ordered[cut : len(ordered) - cut])


def crossover_mean(
    baseline_first: Sequence[float], candidate_first: Sequence[float]
) -> float | None:
    """The mean of the two orders' interquartile means: the order's effect cancels."""
    if min(len(baseline_first), len(candidate_first)) < MIN_PAIRS_EACH_ORDER:
        return None
    return (interquartile_mean(baseline_first) + interquartile_mean(candidate_first)) / 2


def pooled(statistic: Callable[[Sequence[float]], float]) -> WindowSummary:
    """A summary that ignores the order: ``statistic`` of every ratio together (what the duet did
    before it kept the order; benchmarks/gate_calibration.py compares the two)."""

    def summary(baseline_first: Sequence[float], candidate_first: Sequence[float]) -> float | None:
        ratios = [*baseline_first, *candidate_first]
        return statistic(ratios) if len(ratios) >= MIN_PAIRS_POOLED else None

    return summary


def paired_windows(
    payloads: Sequence[dict[str, Any]],
    window: LoadWindow | None,
    summary: WindowSummary = crossover_mean,
) -> dict[str, list[float | None]] | None:
    """Every process's paired-request log-ratios, merged: endpoint → each full window's
    ``summary`` (None where it has too few pairs), and ``all``: those weighted by their pairs."""
    records = [entry for payload in payloads for entry in payload.get("paired_log_ratios") or []]
    if not records or window is None:
        return None
    full = int(window.seconds // WINDOW_S)
    by_endpoint: dict[str, list[_Orders]] = {}
    for entry in records:
        key = endpoint_key(entry["method"], entry["name"])
        windows = by_endpoint.setdefault(key, [_Orders() for _ in range(full)])
        for index, ratios in entry["windows"].items():
            if 0 <= int(index) < full:
                windows[int(index)].add(ratios)
    summaries = {
        key: [summary(w.baseline_first, w.candidate_first) for w in windows]
        for key, windows in by_endpoint.items()
    }
    summaries[ALL_ENDPOINTS] = [_all_requests(by_endpoint, summaries, i) for i in range(full)]
    return summaries


def _all_requests(
    by_endpoint: dict[str, list[_Orders]], summaries: dict[str, list[float | None]], index: int
) -> float | None:
    """Window ``index``'s shift of every request together: the endpoints' summaries, each
    weighted by its precision in the window (the inverse of its variance).

    Not one summary of all ratios pooled: the order's wait differs by endpoint (little on a 5 ms
    page, ±0.35 on a 1.5 ms one), so a pool's two orders hold the endpoints in different shares
    and the wait no longer cancels (±4 % on unchanged services). Not weighted by requests either:
    a 1–2 ms page's ratios are mostly the client's own jitter — noise, and little of a slower
    service, which its fixed overhead dilutes — so the pages that carry a slowdown, measured to
    ±1 %, would drown in the noise of those measured to ±10 %."""
    weighted = total = 0.0
    for key, windows in by_endpoint.items():
        value = summaries[key][index]
        variance = windows[index].variance()
        if value is not None and variance is not None:
            weight = 1.0 / max(variance, MIN_VARIANCE)
            weighted, total = weighted + weight * value, total + weight
    return weighted / total if total else None


class _Orders:
    """One window's ratios, by which side sent first."""

    def __init__(self) -> None:
        self.baseline_first: list[float] = []
        self.candidate_first: list[float] = []

    def add(self, ratios: dict[str, list[float]] | list[float]) -> None:
        if isinstance(ratios, list):  # a run before the order was kept: all of one kind
            self.baseline_first.extend(float(r) for r in ratios)
            return
        self.baseline_first.extend(float(r) for r in ratios.get(ORDERS[0], []))
        self.candidate_first.extend(float(r) for r in ratios.get(ORDERS[1], []))

    def variance(self) -> float | None:
        """The crossover mean's variance, roughly: each order's interquartile mean's (the middle
        half's variance over its count), halved twice by the average of the two."""
        parts = [_middle_half_variance(r) for r in (self.baseline_first, self.candidate_first)]
        known = [p for p in parts if p is not None]
        if len(known) == 1:  # one order only (a run before the order was kept): its own
            return known[0]
        return sum(known) / 4 if known else None


def _middle_half_variance(ratios: Sequence[float]) -> float | None:
    ordered = sorted(ratios)
    cut = int(TRIMMED_EACH_SIDE * len(ordered))
    middle = ordered[cut : len(ordered) - cut]
    return statistics.pvariance(middle) / len(middle) if len(middle) >= 2 else None


def read_paired_windows(
    client_dir: Path, window: LoadWindow, summary: WindowSummary = crossover_mean
) -> dict[str, list[float | None]] | None:
    """``paired_windows`` of a saved run's ``client/`` folder, with another summary if asked
    (benchmarks/gate_calibration.py compares them on the same trials)."""
    payloads = [
        json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(client_dir.glob(CLIENT_RESULTS_GLOB))
    ]
    return paired_windows(payloads, window, summary)
