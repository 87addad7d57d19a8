"""A duet's paired requests: the same request, sent by both users of a pair at the same moment.

In the closed model the two users of a pair run in lockstep and draw the same random numbers, so
their k-th iteration sends the same requests in the same order, each at nearly the same instant
on both sides. The log-ratio of the two latencies is then a measurement in which whatever the
machine did at that instant — a busy neighbour, a pause of the generator — cancels, request by
request. Each window keeps its ratios; the gate compares their summary (paired_windows.py).

**Which side went first** is kept with each ratio. The two requests of a pair leave the one
generator process one after the other, and on a busy machine the second waits behind the first
for a core: a 1–2 ms request sent second reads 30–50 % slower. So each window keeps two lists —
the pairs the baseline sent first and those the candidate sent first — and the summary averages
the two, as a crossover trial does, so that the order's effect cancels instead of swinging each
window's result with the share of pairs one side led.

Pure (no Locust, no gevent): the plugin feeds it, tests can too.
"""

from __future__ import annotations

import math
from collections import defaultdict

__all__ = ["ORDERS", "PairedRequests", "RequestKey"]

# (pair, iteration, request number in the iteration, name, method)
RequestKey = tuple[int, int, int, str, str]
ORDERS = ("baseline_first", "candidate_first")
WINDOW_S = 5.0  # as the gate's windows (harness/values/samples.py: WINDOW_S)


class PairedRequests:
    def __init__(self) -> None:
        # key → (side, latency ms, the request's start, Unix s)
        self._waiting: dict[RequestKey, tuple[int, float, float]] = {}
        # (name, method) → window index → [baseline-first ratios, candidate-first ratios], each
        # a log(candidate / baseline)
        self.ratios: dict[tuple[str, str], dict[int, tuple[list[float], list[float]]]] = (
            defaultdict(lambda: defaultdict(lambda: ([], [])))
        )

    def record(
        self, key: RequestKey, side: int, latency_ms: float, start: float, window_index: int | None
    ) -> None:
        """One side's latency of ``key``, sent at ``start``; with the other side's already there,
        their log-ratio goes to ``window_index`` (None: outside the window, not kept), filed by
        which side sent its request first."""
        partner = self._waiting.pop(key, None)
        if partner is None or partner[0] == side:
            self._waiting[key] = (side, latency_ms, start)
            return
        mine, theirs = (latency_ms, start), partner[1:]
        (baseline, baseline_start), (candidate, candidate_start) = (
            (theirs, mine) if side == 1 else (mine, theirs)
        )
        if window_index is not None and baseline > 0 and candidate > 0:
            order = 0 if baseline_start <= candidate_start else 1
            self.ratios[(key[3], key[4])][window_index][order].append(
                math.log(candidate / baseline)
            )

    def forget_before(self, pair: int, iteration: int) -> None:
        """A pair has moved past ``iteration``: a request of an earlier one that its partner never
        sent (it failed before, the user stopped) will not be matched any more."""
        stale = [k for k in self._waiting if k[0] == pair and k[1] < iteration]
        for key in stale:
            del self._waiting[key]

    def as_json(self) -> list[dict[str, object]]:
        return [
            {
                "name": name,
                "method": method,
                "windows": {
                    str(i): {
                        order: [round(r, 5) for r in rs]
                        for order, rs in zip(ORDERS, both, strict=True)
                    }
                    for i, both in sorted(windows.items())
                },
            }
            for (name, method), windows in sorted(self.ratios.items())
        ]


def window_index(start: float, at: float) -> int:
    """The 5 s window of the run ``at`` falls in, 0 from the window's start."""
    return math.floor((at - start) / WINDOW_S)
