"""The open model's arrivals over several Locust processes (issue #14): each process draws its
own schedule (``for_process``, which the dispatcher applies with the process's index), and the
processes' schedules merge into the intended one — Poisson stays Poisson, evenly spaced stays
evenly spaced — instead of N copies of one schedule arriving in bursts of N."""

from __future__ import annotations

import statistics
from dataclasses import replace
from itertools import pairwise

from harness.values.arrivals import ArrivalProfile, Stage, arrival_times, for_process

RATE = 200.0  # arrivals per second over all processes
SECONDS = 60.0


def merged(profile: ArrivalProfile, processes: int) -> list[float]:
    """Every process's arrivals, each with its share of the rate, merged in time order."""
    share = replace(profile, share=1.0 / processes)
    times: list[float] = []
    for index in range(processes):
        times += arrival_times(for_process(share, index, processes), 0.0, SECONDS)
    return sorted(times)


def gaps(times: list[float]) -> list[float]:
    return [b - a for a, b in pairwise(times)]


def test_two_processes_merge_into_one_poisson_stream() -> None:
    times = merged(ArrivalProfile((Stage(1.0, RATE),), poisson=True, seed=7), processes=2)
    between = gaps(times)
    cv = statistics.pstdev(between) / statistics.fmean(between)
    assert abs(len(times) / SECONDS - RATE) < 0.05 * RATE
    assert 0.95 < cv < 1.05  # exponential gaps: the coefficient of variation of Poisson is 1
    # No bursts: arrivals less than 0.1 ms apart are as rare as for one Poisson stream of the
    # whole rate (1 - e^(-λ·0.1 ms) ≈ 2 %), not half of them, as two copies of one stream were.
    close = sum(g < 1e-4 for g in between) / len(between)
    assert close < 0.04
    assert len(set(times)) == len(times)


def test_the_processes_draw_distinct_streams_and_the_same_ones_every_run() -> None:
    profile = ArrivalProfile((Stage(1.0, RATE),), poisson=True, seed=7, share=0.5)
    first = list(arrival_times(for_process(profile, 0, 2), 0.0, 5.0))
    second = list(arrival_times(for_process(profile, 1, 2), 0.0, 5.0))
    assert first != second
    assert first == list(arrival_times(for_process(profile, 0, 2), 0.0, 5.0))
    other_seed = replace(profile, seed=8)
    assert first != list(arrival_times(for_process(other_seed, 0, 2), 0.0, 5.0))


def test_evenly_spaced_arrivals_of_three_processes_interleave() -> None:
    times = merged(ArrivalProfile((Stage(1.0, RATE),), seed=7), processes=3)
    between = gaps(times)
    assert min(between) > 0.9 / RATE and max(between) < 1.1 / RATE


def test_two_copies_of_one_schedule_would_fail_these_checks() -> None:
    """The checks above can fail: the schedule every process used before #14 (one seed, no
    phase) arrives in pairs."""
    profile = ArrivalProfile((Stage(1.0, RATE),), poisson=True, seed=7, share=0.5)
    copies = sorted(2 * list(arrival_times(profile, 0.0, SECONDS)))
    close = sum(g < 1e-4 for g in gaps(copies)) / (len(copies) - 1)
    assert close > 0.45


def test_one_process_keeps_the_run_s_own_schedule() -> None:
    profile = ArrivalProfile((Stage(1.0, RATE),), poisson=True, seed=7)
    assert for_process(profile, 0, 1) == profile
