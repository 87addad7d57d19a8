"""The ``loadgate run`` flags, as given: ``None`` means "not given", so the scenario file decides."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["RunOptions"]


@dataclass(frozen=True)
class RunOptions:
    scenario: Path | None = None
    locustfile: Path | None = None
    slo_files: tuple[Path, ...] = field(default_factory=tuple)
    target: str | None = None
    grpc_target: str | None = None  # host:port of the target's gRPC server (GrpcUser's target)
    users: int | None = None
    spawn_rate: float | None = None
    arrival_rate: float | None = None
    duration: str | None = None
    warmup: str | None = None
    processes: int | None = None
    seed: int | None = None  # the run's random seed (harness/plan/traffic.py)
    out: Path = Path("reports")
    prometheus_url: str | None = None
    allow_remote: bool = False
    expect_workers: int | None = None  # remote Locust workers that will connect to the master
    master_bind: str | None = None  # "host:port" the master listens on for them
    worker_metrics: tuple[str, ...] = ()  # "host:port" of their metrics exporters
    baseline: str | None = None  # a baseline name (under baselines/) or a path
    duet_baseline: str | None = None  # a running baseline service to load beside the target
    duet_baseline_checkout: Path | None = None  # or a checkout to start the reference service from
    locust_args: tuple[str, ...] | None = None  # after ``--``: Locust's own options, passed through
    history: str | None = None  # --history: a path or a postgresql:// URL (harness/history/)
