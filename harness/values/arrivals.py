"""Open-model arrival schedules: when each iteration is *intended* to start. Pure, no gevent.

A profile is a list of stages: hold a rate (``arrival_rate``) or ramp linearly to one
(``ramp_to``) over a duration; after the last stage its rate holds. Arrivals are evenly spaced
(constant) or Poisson (exponential gaps, seeded, so runs are reproducible). Each Locust process
takes its ``share`` of the rate.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import asdict, dataclass

__all__ = ["ArrivalProfile", "Stage", "arrival_times", "expected_arrivals", "rate_at"]


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
    seed: int = 1
    share: float = 1.0  # this process's share of the rate

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


def arrival_times(profile: ArrivalProfile, start: float, end: float) -> Iterator[float]:
    """Intended start times (absolute seconds) from ``start`` until ``end``."""
    rng = random.Random(profile.seed)
    t = start
    while True:
        rate = rate_at(profile, t - start)
        if rate <= 0:
            t += 0.01  # nothing to send now: look again shortly (a ramp from zero)
        else:
            t += rng.expovariate(rate) if profile.poisson else 1.0 / rate
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
