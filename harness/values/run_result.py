"""What a load run measured: its window, the client's exact numbers and the generator's health."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

__all__ = [
    "PERCENTILE_KEYS",
    "PERCENTILE_RANKS",
    "ArrivalCounts",
    "ClientStats",
    "EndpointStats",
    "GeneratorHealth",
    "LoadWindow",
    "PercentileKey",
    "Percentiles",
    "ProcessCpu",
    "RunResult",
    "percentile_label",
]

# The client's latency percentiles, named once: the fields of ``Percentiles`` and ``EndpointStats``
# and of result.json's endpoints, the latency metrics a criterion may bound, the samples' keys.
PercentileKey = Literal["p50_ms", "p90_ms", "p95_ms", "p99_ms", "p999_ms", "max_ms"]
PERCENTILE_KEYS: tuple[PercentileKey, ...] = get_args(PercentileKey)
# Each one's quantile of the HDR histogram, in %, in the same order; None: the histogram's maximum.
PERCENTILE_RANKS: dict[PercentileKey, float | None] = dict(
    zip(PERCENTILE_KEYS, (50.0, 90.0, 95.0, 99.0, 99.9, None), strict=True)
)


@dataclass(frozen=True)
class LoadWindow:
    """The measured interval, in Unix seconds; every SLI is computed over exactly this."""

    start: float
    end: float

    @property
    def seconds(self) -> float:
        return self.end - self.start

    def holds_most_of(self, since: float, until: float) -> bool:
        """Whether more than half of [since, until] lies inside the window: a CPU reading over that
        interval then speaks for the window. The reading that straddles the start is mostly
        Locust's start-up (imports, spawning), the one that straddles the end its shutdown (the
        HTML report): neither is the load."""
        inside = min(until, self.end) - max(since, self.start)
        return inside > (until - since) / 2


def percentile_label(key: PercentileKey) -> str:
    """How a table heads it: "p50", "p99.9", "max"."""
    rank = PERCENTILE_RANKS[key]
    return "max" if rank is None else f"p{rank:g}"


@dataclass(frozen=True)
class Percentiles:
    """Latency in ms, one field per ``PERCENTILE_KEYS`` (tests/unit/test_percentile_keys.py)."""

    p50_ms: float | None
    p90_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    p999_ms: float | None
    max_ms: float | None


@dataclass(frozen=True)
class EndpointStats:
    """Latency of one endpoint over the window. In the open model, ``p*_ms`` are timed from each
    iteration's intended start (corrected for coordinated omission); ``uncorrected`` from the
    actual start, for comparison."""

    name: str
    method: str
    requests: int
    failures: int
    p50_ms: float | None
    p90_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    p999_ms: float | None
    max_ms: float | None
    uncorrected: Percentiles | None = None
    prometheus_p99_ms: float | None = None  # histogram_quantile(0.99) of the client histogram


@dataclass(frozen=True)
class ArrivalCounts:
    """Open-model arrivals intended inside the window, summed over every Locust process."""

    scheduled: int
    started: int
    dropped: int
    expected: float = 0.0  # what the profile asked for
    # Due in the window's last moments and still queued when it closed, neither late nor dropped:
    # the window's end cut them off, which is no shortfall of the generator's.
    cut: int = 0


@dataclass(frozen=True)
class ClientStats:
    """What the load generator saw inside the window (exact HDR percentiles, 3 significant digits)."""

    total: EndpointStats
    endpoints: tuple[EndpointStats, ...]


@dataclass(frozen=True)
class ProcessCpu:
    """The highest CPU one Locust process used inside the window, wherever it ran."""

    process: str  # "pid 123" on this machine, "worker on HOST (pid 123)" reported by a worker
    cpu_max: float  # percent of one core


@dataclass(frozen=True)
class GeneratorHealth:
    cpu_max: float  # highest CPU percent of one core seen in any Locust process
    dropped_iterations: int
    exit_code: int | None
    target_arrival_rate: float | None = None  # per second, open model
    achieved_arrival_rate: float | None = None
    problems: tuple[str, ...] = ()  # why the generator's measurements cannot be trusted
    processes: tuple[ProcessCpu, ...] = ()  # every Locust process's CPU, highest first
    iterations: int = 0  # tasks the users ran inside the window, those that raised included
    user_errors: int = 0  # of which raised an exception (Locust's user_error)
    warnings: tuple[str, ...] = ()  # worth fixing, but the measurements stand


@dataclass(frozen=True)
class RunResult:
    run_id: str
    started_at: float
    target: str
    window: LoadWindow | None
    client: ClientStats | None
    generator: GeneratorHealth
