"""Open-model arrival schedules: when each iteration is *intended* to start. Pure, no gevent.

A profile is a list of stages: hold a rate (``arrival_rate``) or ramp linearly to one
(``ramp_to``) over a duration; after the last stage its rate holds. Arrivals are evenly spaced
(constant) or Poisson (exponential gaps, seeded, so runs are reproducible). Each Locust process
takes its ``share`` of the rate, and ``for_process`` makes the processes' schedules merge into the
intended one: each process draws its Poisson gaps from its own stream (independent Poisson
processes of rate λ/N sum to one of rate λ; N copies of one stream would arrive in bursts of N),
and evenly spaced arrivals are offset by a fraction of a gap, so N processes interleave.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace

__all__ = [
    "ArrivalProfile",
    "Stage",
    "arrival_times",
    "expected_arrivals",
    "for_process",
    "rate_at",
]


@dataclass(frozen=True)
class Stage:
    duration_s: float
    rate: float  # arrivals per second at the end of the stage
    ramp: bool = False  # True: linear from the previous stage's rate; False: hold ``rate``


@dataclass(frozen=True)
class ArrivalProfile:
    stages: tuple[Stage, ...]
    poisson: bool = False
    max_lateness_s: float = 1.0  # an arrival not started within this is dropped
    seed: int | str = 1  # the run's; each process's own ("seed:index"), after ``for_process``
    share: float = 1.0  # this process's share of the rate
    phase: float = 0.0  # evenly spaced arrivals: the first comes this fraction of a gap early

    @property
    def peak_rate(self) -> float:
        return max(stage.rate for stage in self.stages)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @staticmethod
    def from_json(text: str) -> ArrivalProfile:
        data = json.loads(text)
        data["stages"] = tuple(Stage(**stage) for stage in data["stages"])
        return ArrivalProfile(**data)


def rate_at(profile: ArrivalProfile, t: float) -> float:
    """Arrivals per second (this process's share) ``t`` seconds after the start."""
    previous, elapsed = 0.0, 0.0
    for stage in profile.stages:
        if t < elapsed + stage.duration_s:
            if stage.ramp:
                progress = (t - elapsed) / stage.duration_s
                return (previous + (stage.rate - previous) * progress) * profile.share
            return stage.rate * profile.share
        previous, elapsed = stage.rate, elapsed + stage.duration_s
    return profile.stages[-1].rate * profile.share


def for_process(profile: ArrivalProfile, index: int, processes: int) -> ArrivalProfile:
    """Process ``index`` (of ``processes``)'s own schedule: its stream, and its place in a gap."""
    if processes <= 1:
        return profile
    return replace(profile, seed=f"{profile.seed}:{index}", phase=(index % processes) / processes)


def arrival_times(profile: ArrivalProfile, start: float, end: float) -> Iterator[float]:
    """Intended start times (absolute seconds) from ``start`` until ``end``."""
    rng = random.Random(profile.seed)
    t = start
    first = True
    while True:
        rate = rate_at(profile, t - start)
        if rate <= 0:
            t += 0.01  # nothing to send now: look again shortly (a ramp from zero)
        elif profile.poisson:
            t += rng.expovariate(rate)
        else:
            t += (1.0 - profile.phase if first else 1.0) / rate
            first = False
        if t >= end:
            return
        yield t


def expected_arrivals(
    profile: ArrivalProfile, start: float, window_start: float, window_end: float
) -> float:
    """The arrivals the profile asks for inside the window (the integral of the rate)."""
    steps = max(1, int((window_end - window_start) * 20))
    width = (window_end - window_start) / steps
    return sum(
        rate_at(profile, window_start - start + (i + 0.5) * width) * width for i in range(steps)
    )
