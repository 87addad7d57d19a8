"""Running Locust headless as a subprocess, with the harness's plugin loaded beside the locustfile.

Locust monkey-patches the standard library with gevent when imported, so it never runs inside
the harness's own process. It is stopped early (deadline, Ctrl-C, a soak's abort) the way a person
stops it, with SIGINT: Locust handles that at every stage, while its SIGTERM handler is installed
only once the load has started — and never while a ``LoadTestShape`` runs — so a SIGTERM then
would kill it before the plugin writes the window it measured.
"""

from __future__ import annotations

import contextlib
import math
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import harness.load.plugin_path as plugin_path
from harness.load.health import CpuSampler
from harness.run_folder import CLIENT_DIR, LOCUST_REPORT, LOCUST_STATS, LOGS_DIR, log_file
from harness.stack.processes import ProcessGroup, StartedProcess
from harness.values.client_metrics import (
    ENV_ARRIVALS,
    ENV_DUET,
    ENV_GRPC_TARGET,
    ENV_METRICS_PORTS,
    ENV_PARAMETERS,
    ENV_RESULTS_DIR,
    ENV_SEED,
    ENV_WARMUP_S,
    DuetTargets,
)
from harness.values.plan import LoadProfile, RemoteWorkers
from harness.values.run_result import LoadWindow

__all__ = [
    "LOCUST_LOG",
    "LocustRun",
    "early_exit",
    "generators",
    "locust_argv",
    "log_lines",
    "run_locust",
]

PROCESS = "locust"  # the child's name in the ProcessGroup, and so its log's
LOCUST_LOG = f"{LOGS_DIR}/{log_file(PROCESS)}"  # as reasons and progress lines name it

STARTUP_GRACE_S = 60.0  # import, spawn and the plugin's final-scrape wait, beyond the run time
INTERRUPT_GRACE_S = 15.0  # after SIGINT: the plugin waits up to 10 s for a last scrape, then exits
EARLY_EXIT_LINES = 8  # of Locust's log, in the reason: a traceback's end names the error


@dataclass(frozen=True)
class LocustRun:
    exit_code: int | None
    timed_out: bool
    interrupted: bool  # Ctrl-C or SIGTERM: Locust was stopped early and wrote what it had
    sampler: CpuSampler
    log_tail: str
    stopped_early: str | None = None  # why the harness stopped the load before its end
    ran_s: float = 0.0  # from its start to its exit


def generators(load: LoadProfile, remote: RemoteWorkers | None) -> int:
    """How many processes generate load (and so write results)."""
    return remote.count if remote is not None else load.processes


def locust_argv(
    locustfile: Path,
    target_url: str,
    load: LoadProfile,
    run_dir: Path,
    remote: RemoteWorkers | None = None,
    locust_args: Sequence[str] = (),
) -> list[str]:
    """Locust's command line; ``locust_args`` (checked by the plan) go last, as given."""
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
        str(run_dir / LOCUST_STATS),
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
    return argv + list(locust_args)


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
    locust_args: Sequence[str] = (),
    duet: DuetTargets | None = None,
    grpc_target: str | None = None,
) -> LocustRun:
    """Run the load to completion (bounded in time), sampling the generator's CPU once a second."""
    results_dir = run_dir / CLIENT_DIR
    results_dir.mkdir(parents=True, exist_ok=True)
    env = {
        ENV_METRICS_PORTS: ",".join(str(p) for p in metrics_ports),
        # Each load-generating process takes an equal share (remote workers get it from the master).
        **(
            {
                ENV_ARRIVALS: replace(
                    load.arrivals, share=1.0 / generators(load, remote), seed=load.seed
                ).to_json()
            }
            if load.arrivals
            else {}
        ),
        ENV_RESULTS_DIR: str(results_dir),
        ENV_WARMUP_S: f"{load.warmup_s:g}",
        **({ENV_DUET: duet.to_json()} if duet else {}),
        **({ENV_GRPC_TARGET: grpc_target} if grpc_target else {}),
        ENV_SEED: str(load.seed),
        **({ENV_PARAMETERS: load.parameters} if load.parameters is not None else {}),
        "PYTHONUNBUFFERED": "1",
    }
    process = group.start(
        PROCESS, locust_argv(locustfile, target_url, load, run_dir, remote, locust_args), env=env
    )
    sampler = CpuSampler(process.pid)
    started = time.monotonic()
    deadline = started + load.warmup_s + load.duration_s + STARTUP_GRACE_S
    timed_out = interrupted = False
    stopped_early: str | None = None
    try:
        while process.exited() is None:
            if time.monotonic() > deadline:
                timed_out = True
                _stop(group, process)
                break
            sampler.sample()
            if on_tick is not None:
                on_tick()
            if stop_reason is not None and (reason := stop_reason()) is not None:
                # Asked to stop (soak: a fast burn with --abort-on-page): Locust writes its
                # window on SIGTERM and the run is judged over the part that ran.
                stopped_early = reason
                _stop(group, process)
                break
            time.sleep(0.5)
    except KeyboardInterrupt:
        # Stop the load but keep going: Locust writes its window on SIGTERM, and the SLOs over
        # the partial window are still worth reporting (as inconclusive).
        interrupted = True
        _stop(group, process)
    return LocustRun(
        process.exited(),
        timed_out,
        interrupted,
        sampler,
        process.log_tail(15),
        stopped_early,
        ran_s=time.monotonic() - started,
    )


def early_exit(locust: LocustRun, window: LoadWindow | None) -> str | None:
    """Why Locust ended on its own without writing a window — an import error, an exception in
    an ``init`` listener, a kill — with the end of its log, which names the error. One line, as
    every reason is: the console shows the lines as they are (``log_lines``). Whether the warm-up
    had passed is not said: Locust's own start can outlast a short warm-up on a busy machine."""
    if window is not None or locust.timed_out or locust.interrupted or locust.stopped_early:
        return None
    lines = log_lines(locust)
    return (
        f"the load generator exited (exit code {locust.exit_code}) without a measured window; "
        f"the last lines of {LOCUST_LOG}: {' | '.join(lines) if lines else '(none: it wrote nothing)'}"
    )


def log_lines(locust: LocustRun) -> list[str]:
    """The last non-blank lines of Locust's log: a traceback's end names the error."""
    return [line.strip() for line in locust.log_tail.splitlines() if line.strip()][
        -EARLY_EXIT_LINES:
    ]


def _stop(group: ProcessGroup, process: StartedProcess) -> None:
    """SIGINT (see the module's docstring) to Locust's master only: it tells its forked workers
    to stop, and they send it their results before it exits — signalled too, they would quit on
    their own and their results would be lost. Then the group's SIGTERM/SIGKILL for what is left."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(process.pid, signal.SIGINT)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.popen.wait(timeout=INTERRUPT_GRACE_S)
    group.stop(process)
