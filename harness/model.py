"""The values passed between the pipeline's stages. All frozen: a stage returns new data.

Plan ─► RunResult ─► SLOEvaluation[] ─► Verdict
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from harness.load.arrivals import ArrivalProfile

if TYPE_CHECKING:  # the gate's types, without importing the gate into the model at run time
    from harness.gate.absolute import AbsoluteCriterion
    from harness.gate.baseline import Baseline
    from harness.gate.relative import RelativeCriterion
    from harness.gate.score import ScoreThresholds
from harness.slo.model import SLO

__all__ = [
    "ArrivalCounts",
    "ClientStats",
    "CriterionResult",
    "EndpointStats",
    "GeneratorHealth",
    "LoadProfile",
    "LoadWindow",
    "Percentiles",
    "Plan",
    "ProcessCpu",
    "RemoteWorkers",
    "RunResult",
    "SLOEvaluation",
    "SLOStatus",
    "Verdict",
    "VerdictStatus",
]


@dataclass(frozen=True)
class LoadProfile:
    """Closed model: ``users`` each loop over the locustfile's tasks. Open model (``arrivals``):
    iterations start on a schedule and ``users`` is the pool of concurrency they may use."""

    users: int
    spawn_rate: float
    duration_s: float  # the measured load window, warm-up not included
    warmup_s: float  # load before the window opens: caches fill, series appear in Prometheus
    processes: int = 1
    arrivals: ArrivalProfile | None = None  # the open model; None: closed model


@dataclass(frozen=True)
class RemoteWorkers:
    """Locust workers on other machines: the harness runs the master, they connect to it."""

    count: int
    master_host: str
    master_port: int
    metrics: tuple[str, ...]  # "host:port" of each worker's exporter, for Prometheus to scrape


@dataclass(frozen=True)
class Plan:
    """Everything a run needs, validated: built from a scenario file and flags, before anything starts."""

    name: str
    scenario_path: Path | None
    locustfile: Path
    slo_files: tuple[Path, ...]
    slos: tuple[SLO, ...]
    load: LoadProfile
    out_dir: Path
    target_url: str | None = None  # None: start the reference service
    prometheus_url: str | None = None  # None: start a private Prometheus
    min_events: int = 100  # fewer events in an SLO's window than this is no_data, never met
    max_generator_cpu: float = 90.0  # percent of one core, per Locust process
    service_args: tuple[str, ...] = ()  # extra flags for the reference service (store, faults)
    remote_workers: RemoteWorkers | None = None
    baseline: Baseline | None = None
    relative_criteria: tuple[RelativeCriterion, ...] = ()
    absolute_criteria: tuple[AbsoluteCriterion, ...] = ()
    score_thresholds: ScoreThresholds | None = None  # None: the defaults, 90 % and 75 %
    locust_args: tuple[str, ...] = ()  # Locust options passed through (--tags …), checked


# The per-window samples' window: the gate's samples, the burn-rate series and the p99 drift.
WINDOW_S = 5.0
# One value per consecutive WINDOW_S window of a run, ``None`` where Prometheus
# had no value for that window (no requests, a missed scrape): positions are time, so a gap stays a gap.
WindowValues = list[float | None]
# name (an endpoint, an SLO) → metric → its values per window, as result.json and baselines hold them.
PerWindow = dict[str, dict[str, WindowValues]]
# The same, as the functions that only read it accept it (a dict of lists of floats is one too).
PerWindowView = Mapping[str, Mapping[str, Sequence[float | None]]]


@dataclass(frozen=True)
class LoadWindow:
    """The measured interval, in Unix seconds; every SLI is computed over exactly this."""

    start: float
    end: float

    @property
    def seconds(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Percentiles:
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


class SLOStatus(StrEnum):
    MET = "met"
    BREACHED = "breached"
    NO_DATA = "no_data"


@dataclass(frozen=True)
class SLOEvaluation:
    name: str
    status: SLOStatus
    objective: float
    sli: float | None
    events: float | None
    burn_rate: float | None
    detail: str = ""  # why no_data, or what was measured
    budget_consumed: float | None = None  # share of the SLO window's error budget this window spent


@dataclass(frozen=True)
class CriterionResult:
    """One gate criterion judged: what was observed against what the gate allows."""

    name: str  # e.g. "burn rate of home-latency"
    observed: float | None
    threshold: float
    passed: bool | None  # None: nothing to judge (no data, too few windows)
    detail: str = ""  # the reason a person reads when it fails, warns or cannot be judged
    warn: bool = False  # passed, but a regression cannot be ruled out
    baseline: float | None = None  # relative criteria: the baseline's median
    effect_pct: float | None = None  # the shift against the baseline, % (Hodges–Lehmann)
    ci_pct: tuple[float, float] | None = None  # its 95 % confidence interval, %
    p_value: float | None = None
    weight: float = 1.0  # points in the gate's score (pass: all, warn: half, fail: none)
    key: bool = False  # a key criterion is a gate of its own: failing it fails the run

    @property
    def status(self) -> str:
        if self.passed is None:
            return "no_data"
        if not self.passed:
            return "fail"
        return "warn" if self.warn else "pass"


class VerdictStatus(StrEnum):
    PASS = "pass"  # noqa: S105 - a verdict, not a password
    WARN = "warn"
    FAIL = "fail"
    INCONCLUSIVE = "inconclusive"


@dataclass(frozen=True)
class Verdict:
    status: VerdictStatus
    exit_code: int
    reasons: tuple[str, ...] = field(default_factory=tuple)
