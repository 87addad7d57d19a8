"""The Plan: everything a run needs, validated, built from a scenario file and flags before
anything starts (harness/plan/ builds it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from harness.values.arrivals import ArrivalProfile
from harness.values.baseline import Baseline
from harness.values.criteria import (
    AbsoluteCriterion,
    HistoryGate,
    RelativeCriterion,
    ScoreThresholds,
)
from harness.values.slo import SLO

__all__ = ["Duet", "LoadProfile", "Plan", "RemoteWorkers", "ServiceCommand"]


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
    seed: int = 1  # every process's and user's random stream derives from it (load/streams.py)
    seed_given: bool = True  # False: drawn for this run (and recorded, so it can be repeated)
    parameters: str | None = None  # load.parameters as JSON, for the locustfile; None: none


@dataclass(frozen=True)
class RemoteWorkers:
    """Locust workers on other machines: the harness runs the master, they connect to it."""

    count: int
    master_host: str
    master_port: int
    metrics: tuple[str, ...]  # "host:port" of each worker's exporter, for Prometheus to scrape


@dataclass(frozen=True)
class ServiceCommand:
    """A user's service the harness starts (harness/plan/service.py): ``{port}`` in ``argv`` is
    replaced by the port it chose; ready when ``health`` answers 2xx."""

    argv: tuple[str, ...]
    health: str = "/healthz"
    cwd: Path | None = None  # where it runs: the scenario's folder, or a duet's checkout


@dataclass(frozen=True)
class Duet:
    """A duet: the baseline loaded beside the candidate, in the same Locust run at the same time.
    The candidate is the run's target (``--target`` or the reference service it starts); the
    baseline is a running service or the reference service started from another checkout."""

    baseline_url: str | None = None  # a running service (--duet-baseline URL)
    baseline_checkout: Path | None = None  # or start the candidate's service from this folder
    baseline_command: ServiceCommand | None = None  # or start the baseline from its own command
    seed: int = 1  # the user pairs' random streams (harness/load/duet.py)


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
    # host:port of the target's gRPC server (given with the target); None: no gRPC, unless
    # ``service_grpc`` asks the reference service the harness starts to serve it too.
    grpc_target: str | None = None
    service_grpc: bool = False
    prometheus_url: str | None = None  # None: start a private Prometheus
    min_events: int = 100  # fewer events in an SLO's window than this is no_data, never met
    max_generator_cpu: float = 90.0  # percent of one core, per Locust process
    service_args: tuple[str, ...] = ()  # extra flags for the reference service (store, faults)
    service_command: ServiceCommand | None = None  # the user's service, instead of the reference
    remote_workers: RemoteWorkers | None = None
    baseline: Baseline | None = None
    relative_criteria: tuple[RelativeCriterion, ...] = ()
    absolute_criteria: tuple[AbsoluteCriterion, ...] = ()
    score_thresholds: ScoreThresholds | None = None  # None: the defaults, 90 % and 75 %
    locust_args: tuple[str, ...] = ()  # Locust options passed through (--tags …), checked
    duet: Duet | None = None  # None: one target, judged alone or against a saved baseline
    # The run history (--history PATH|URL, or the scenario's key): read before judging, appended
    # after the reports.
    history: str | None = None
    history_gate: HistoryGate | None = field(default_factory=HistoryGate)  # None: turned off
