"""Locust workers on "other machines": the harness runs only the master, a worker started apart
connects to it, Prometheus scrapes the worker, and its results reach the master by message.

The worker runs on loopback here, started by the test exactly as on another host would be.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from harness.load.plugin_path import PLUGIN
from tests.conftest import (
    EDGE_ESTIMATE_TOLERANCE,
    REPO,
    CliRun,
    free_port,
    leftover_processes,
    write,
)
from tests.e2e.network_namespaces import why_not_available
from tests.e2e.test_load_engine import HOME_ONLY, SHOP, counting_slos

pytestmark = [pytest.mark.e2e]


def run_only_where_hosts_cannot_be_made() -> None:
    """test_many_hosts.py proves these across network namespaces, more strictly (counts within
    0.5 %, a killed worker too); on loopback they are its stand-in where namespaces cannot be
    made, so a machine without root still shows remote workers driven, counted and judged."""
    if why_not_available() is None:
        pytest.skip("shown across network namespaces by tests/e2e/test_many_hosts.py")


Factory = Callable[..., tuple[str, subprocess.Popen[bytes]]]


# The harness's master runs HOME_ONLY; this worker's users (same class name) burn a core.
BURNING = """
import time
from locust import FastHttpUser, constant, task

class HomeOnly(FastHttpUser):
    wait_time = constant(0)

    @task
    def home(self):
        busy_until = time.process_time() + 0.05
        while time.process_time() < busy_until:
            pass
        self.client.get("/v1/recommendations/home?user_id=11", name="/v1/recommendations/home")
"""


def run_with_a_remote_worker(
    tmp_path: Path, gate_args: list[str], worker_locustfile: Path, worker_metrics: int | None = None
) -> tuple[CliRun, int]:
    """``loadgate run`` as master of one worker started apart, as on another host; and its pid.

    ``worker_metrics``: the worker's exporter port, for a Prometheus of the caller's that the
    gate uses (``--prometheus-url`` in ``gate_args``); else the harness's own scrapes it."""
    master_port = free_port()
    own_prometheus = worker_metrics is None
    worker_metrics = free_port() if worker_metrics is None else worker_metrics
    scraped = ["--worker-metrics", f"127.0.0.1:{worker_metrics}"] if own_prometheus else []
    out = tmp_path / "out"
    stderr_path = tmp_path / "stderr.txt"
    with stderr_path.open("w") as stderr:
        gate = subprocess.Popen(
            [sys.executable, "-m", "harness", "run", *gate_args, "--out", str(out),
             "--expect-workers", "1", "--master-bind", f"127.0.0.1:{master_port}", *scraped],
            cwd=REPO, stdout=subprocess.PIPE, stderr=stderr, text=True,
        )  # fmt: skip
        worker = None
        try:
            deadline = time.monotonic() + 60
            while "load:" not in stderr_path.read_text():
                assert time.monotonic() < deadline and gate.poll() is None, stderr_path.read_text()
                time.sleep(0.1)
            worker = subprocess.Popen(
                [sys.executable, "-m", "locust", "-f", f"{PLUGIN},{worker_locustfile}", "--worker",
                 "--master-host", "127.0.0.1", "--master-port", str(master_port)],
                cwd=REPO, env={"LOADGATE_METRICS_PORTS": str(worker_metrics), "PATH": "/usr/bin:/bin"},
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            stdout, _ = gate.communicate(timeout=120)
            assert worker.wait(timeout=30) == 0
        finally:
            gate.kill()
            if worker is not None:
                worker.kill()
    return CliRun(gate.returncode, stdout, stderr_path.read_text(), out), worker.pid


# load_shared: what it judges are counts (the client's and Prometheus's agree) and an exit code
@pytest.mark.load_shared
def test_a_worker_started_elsewhere_is_driven_scraped_and_counted(
    service_factory: Factory, tmp_path: Path
) -> None:
    run_only_where_hosts_cannot_be_made()
    url, _ = service_factory()
    slo = write(tmp_path / "slo.yaml", counting_slos())
    run, _ = run_with_a_remote_worker(
        tmp_path,
        ["--locustfile", SHOP, "--slo", str(slo), "--target", url, "--users", "10",
         "--spawn-rate", "10", "--warmup", "3s", "--duration", "10s"],
        REPO / SHOP,
    )  # fmt: skip

    assert run.returncode == 0, run.stdout + run.stderr
    client_window = run.result["client"]["total"]["requests"]
    by_prometheus = {s["name"]: s["events"] for s in run.result["slos"]}
    assert client_window > 500  # 10 shoppers for 10 s: about 1,000
    assert by_prometheus["client-count"] == pytest.approx(
        client_window, rel=EDGE_ESTIMATE_TOLERANCE
    )
    assert by_prometheus["server-count"] == pytest.approx(
        client_window, rel=EDGE_ESTIMATE_TOLERANCE
    )
    assert leftover_processes(run.run_ids) == []


@pytest.mark.load  # it measures a worker's CPU
def test_a_saturated_remote_worker_makes_the_run_inconclusive_by_name(
    service_factory: Factory, tmp_path: Path
) -> None:
    # The harness cannot sample a process on another machine: only the worker's own report can
    # carry its CPU to the verdict. The limit is low so that a busy shared machine, which gives
    # the burning worker less than a whole core, still shows it; the idle master stays far below.
    run_only_where_hosts_cannot_be_made()
    url, _ = service_factory()
    slo = write(tmp_path / "slo.yaml", counting_slos())
    scenario = write(
        tmp_path / "scenario.yaml",
        f"name: burning-worker\nload:\n  locustfile: {HOME_ONLY}\n  users: 2\n  spawn_rate: 2\n"
        f"  warmup: 2s\n  duration: 5s\nslos:\n  - {slo}\ngate:\n  max_generator_cpu: 20\n",
    )
    burning = write(tmp_path / "burning.py", BURNING)

    run, worker_pid = run_with_a_remote_worker(tmp_path, [str(scenario), "--target", url], burning)

    assert run.returncode == 3, run.stdout + run.stderr
    worker = f"worker on {socket.gethostname()} (pid {worker_pid})"
    reported = {p["process"]: p["cpu_max"] for p in run.result["generator"]["processes"]}
    assert reported[worker] > 20, reported
    assert any(f"saturated: {worker} used" in reason for reason in run.result["reasons"])


@pytest.mark.load_shared  # it ends before any load
def test_remote_worker_flags_must_come_together(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    run = run_cli(
        "run", "--locustfile", SHOP, "--slo", str(REPO / "slo/recommender.yaml"), "--expect-workers", "2",
        "--worker-metrics", "127.0.0.1:9646", out_dir=tmp_path / "out",
    )  # fmt: skip

    assert run.returncode == 2
    assert "--worker-metrics: 1 given for 2 workers" in run.stderr
