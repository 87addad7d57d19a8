"""A duet's paired requests: the order each pair sent in, kept and cancelled (harness/load/pairs.py,
paired_windows.py), and the lockstep that lets the sides take turns to lead (duet.py)."""

from __future__ import annotations

import math
import random
import statistics

import gevent
import pytest

from harness.load.duet import Lockstep
from harness.load.paired_windows import (
    crossover_mean,
    interquartile_mean,
    paired_windows,
    pooled,
)
from harness.load.pairs import PairedRequests
from harness.values.run_result import LoadWindow

WINDOW = LoadWindow(start=1000.0, end=1010.0)  # two full 5 s windows


def test_each_ratio_is_filed_under_the_side_that_sent_first() -> None:
    pairs = PairedRequests()
    # pair 0: the baseline (side 0) sent at t = 1.000, the candidate at 1.001
    pairs.record((0, 0, 1, "/home", "GET"), 0, 10.0, 1.000, 0)
    pairs.record((0, 0, 1, "/home", "GET"), 1, 20.0, 1.001, 0)
    # pair 1: the candidate sent first and answered first
    pairs.record((1, 0, 1, "/home", "GET"), 1, 5.0, 2.000, 0)
    pairs.record((1, 0, 1, "/home", "GET"), 0, 10.0, 2.002, 0)

    [entry] = pairs.as_json()

    assert entry["windows"] == {
        "0": {
            "baseline_first": [round(math.log(2), 5)],
            "candidate_first": [round(math.log(0.5), 5)],
        }
    }


def test_the_crossover_mean_cancels_the_order_where_a_pooled_median_swings_with_it() -> None:
    """A 10 % slower candidate, and a request sent second 40 % slower: the pooled median lands in
    whichever mode holds more pairs; the crossover mean reads the 10 %."""
    rng = random.Random(7)
    shift, penalty = math.log(1.10), math.log(1.40)
    for baseline_led in (8, 32):  # of 40 pairs in the window
        # The baseline sent first: the candidate waited behind it, so the ratio reads +penalty.
        baseline_first = [shift + penalty + rng.gauss(0, 0.03) for _ in range(baseline_led)]
        candidate_first = [shift - penalty + rng.gauss(0, 0.03) for _ in range(40 - baseline_led)]
        crossover = crossover_mean(baseline_first, candidate_first)
        pooled_median = pooled(statistics.median)(baseline_first, candidate_first)

        assert crossover is not None and abs(crossover - shift) < 0.03
        assert pooled_median is not None and abs(pooled_median - shift) > 0.25


def test_a_window_with_too_few_pairs_in_either_order_is_not_summarised() -> None:
    assert crossover_mean([0.1] * 20, [0.1, 0.1]) is None
    assert crossover_mean([0.1] * 3, [0.3] * 3) == 0.2


def test_the_interquartile_mean_is_the_mean_of_the_middle_half() -> None:
    assert interquartile_mean([100.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, -100.0]) == 3.5


def test_processes_merge_by_window_and_all_weighs_each_endpoint_by_its_precision() -> None:
    rng = random.Random(3)

    def orders(centre: float, wait: float, spread: float, n: int) -> dict[str, list[float]]:
        return {
            "baseline_first": [centre + wait + rng.gauss(0, spread) for _ in range(n)],
            "candidate_first": [centre - wait + rng.gauss(0, spread) for _ in range(n)],
        }

    home = orders(0.10, 0.0, 0.02, 40)  # a 5 ms page: 10 % slower, measured tightly
    fast = orders(-0.20, 0.35, 0.20, 40)  # a 1.5 ms page: the order's wait, and much noise
    payload = {"paired_log_ratios": [
        {"name": "/home", "method": "GET", "windows": {"0": home, "1": home, "2": home}},
        {"name": "/similar", "method": "GET", "windows": {"1": fast}},
    ]}  # fmt: skip

    windows = paired_windows([payload, payload], WINDOW)

    assert windows is not None
    assert windows["GET /home"] == pytest.approx([0.10, 0.10], abs=0.01)  # window 2 is past the end
    similar = windows["GET /similar"]
    assert similar[0] is None and similar[1] == pytest.approx(-0.20, abs=0.06)
    # all: home alone in window 0; in window 1 the noisy page weighs a few % (its variance is
    # tens of times home's), where weighting by pairs would read halfway, −0.05
    assert windows["all"][0] == pytest.approx(windows["GET /home"][0])
    assert windows["all"][1] == pytest.approx(0.10, abs=0.02)


def test_the_sides_take_turns_to_start_an_iteration() -> None:
    """Whichever side finishes an iteration last, side k % 2 sends iteration k's first request."""
    lockstep = Lockstep(timeout_s=5.0)
    starts: list[tuple[int, int]] = []  # (iteration, side), in the order they started

    def user(side: int, work_s: list[float]) -> None:
        for iteration, seconds in enumerate(work_s):
            starts.append((iteration, side))
            gevent.sleep(seconds)
            lockstep.arrive(side)

    # The baseline's user is the slow one in iterations 0 and 2, the candidate's in 1 and 3.
    slow, quick = 0.02, 0.0
    gevent.joinall([
        gevent.spawn(user, 0, [slow, quick, slow, quick, slow]),
        gevent.spawn(user, 1, [quick, slow, quick, slow, quick]),
    ], timeout=10)  # fmt: skip

    leaders = [side for i, (iteration, side) in enumerate(starts) if i % 2 == 0]
    assert [iteration for iteration, _ in starts] == sorted(i for i in range(5) for _ in (0, 1))
    assert leaders == [0, 1, 0, 1, 0]
