"""Running Locust headless as a subprocess, with the harness's plugin loaded beside the locustfile.

Locust monkey-patches the standard library with gevent when imported, so it never runs inside
the harness's own process.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import harness.load.plugin_path as plugin_path
from harness.load.client_metrics import (
    ENV_ARRIVALS,
    ENV_METRICS_PORTS,
    ENV_RESULTS_DIR,
    ENV_WARMUP_S,
)
from harness.load.health import CpuSampler
from harness.model import LoadProfile, RemoteWorkers
from harness.report.files import LOCUST_REPORT
from harness.stack.processes import ProcessGroup

__all__ = ["LocustRun", "generators", "locust_argv", "run_locust"]

STARTUP_GRACE_S = 60.0  # import, spawn and the plugin's final-scrape wait, beyond the run time


@dataclass(frozen=True)
class LocustRun:
    exit_code: int | None
    timed_out: bool
    interrupted: bool  # Ctrl-C or SIGTERM: Locust was stopped early and wrote what it had
    sampler: CpuSampler
    log_tail: str
    stopped_early: str | None = None  # why the harness stopped the load before its end


def generators(load: LoadProfile, remote: RemoteWorkers | None) -> int:
    """How many processes generate load (and so write results)."""
    return remote.count if remote is not None else load.processes


def locust_argv(
    locustfile: Path,
    target_url: str,
    load: LoadProfile,
    run_dir: Path,
    remote: RemoteWorkers | None = None,
) -> list[str]:
    run_time = math.ceil(load.warmup_s + load.duration_s)
    argv = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        f"{plugin_path.PLUGIN},{locustfile}",
        "--headless",
        "--host",
        target_url,
        "--users",
        str(load.users),
        "--spawn-rate",
        f"{load.spawn_rate:g}",
        "--run-time",
        f"{run_time}s",
        "--stop-timeout",
        "0",
        "--json-file",
        str(run_dir / "locust_stats"),
        "--html",
        str(run_dir / LOCUST_REPORT),
        "--only-summary",
        "--loglevel",
        "INFO",
    ]
    if remote is not None:
        argv += ["--master", "--expect-workers", str(remote.count), "--master-bind-host", remote.master_host,
                 "--master-bind-port", str(remote.master_port)]  # fmt: skip
    elif load.processes > 1:
        argv += ["--processes", str(load.processes)]
    return argv


def run_locust(
    group: ProcessGroup,
    locustfile: Path,
    target_url: str,
    load: LoadProfile,
    run_dir: Path,
    metrics_ports: list[int],
    on_tick: Callable[[], None] | None = None,
    remote: RemoteWorkers | None = None,
    stop_reason: Callable[[], str | None] | None = None,
) -> LocustRun:
    """Run the load to completion (bounded in time), sampling the generator's CPU once a second."""
    results_dir = run_dir / "client"
    results_dir.mkdir(parents=True, exist_ok=True)
    env = {
        ENV_METRICS_PORTS: ",".join(str(p) for p in metrics_ports),
        # Each load-generating process takes an equal share (remote workers get it from the master).
        **(
            {ENV_ARRIVALS: replace(load.arrivals, share=1.0 / generators(load, remote)).to_json()}
            if load.arrivals
            else {}
        ),
        ENV_RESULTS_DIR: str(results_dir),
        ENV_WARMUP_S: f"{load.warmup_s:g}",
        "PYTHONUNBUFFERED": "1",
    }
    process = group.start(
        "locust", locust_argv(locustfile, target_url, load, run_dir, remote), env=env
    )
    sampler = CpuSampler(process.pid)
    deadline = time.monotonic() + load.warmup_s + load.duration_s + STARTUP_GRACE_S
    timed_out = interrupted = False
    stopped_early: str | None = None
    try:
        while process.exited() is None:
            if time.monotonic() > deadline:
                timed_out = True
                group.stop(process)
                break
            sampler.sample()
            if on_tick is not None:
                on_tick()
            if stop_reason is not None and (reason := stop_reason()) is not None:
                # Asked to stop (soak: a fast burn with --abort-on-page): Locust writes its
                # window on SIGTERM and the run is judged over the part that ran.
                stopped_early = reason
                group.stop(process)
                break
            time.sleep(0.5)
    except KeyboardInterrupt:
        # Stop the load but keep going: Locust writes its window on SIGTERM, and the SLOs over
        # the partial window are still worth reporting (as inconclusive).
        interrupted = True
        group.stop(process)
    return LocustRun(
        process.exited(), timed_out, interrupted, sampler, process.log_tail(15), stopped_early
    )
