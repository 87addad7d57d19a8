"""Locust workers on "other machines": the harness runs only the master, a worker started apart
connects to it, Prometheus scrapes the worker, and its results reach the master by message.

The worker runs on loopback here, started by the test exactly as on another host would be.
"""

from __future__ import annotations

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
from tests.e2e.test_load_engine import SHOP, counting_slos

pytestmark = [pytest.mark.e2e, pytest.mark.load]

Factory = Callable[..., tuple[str, subprocess.Popen[bytes]]]


def test_a_worker_started_elsewhere_is_driven_scraped_and_counted(
    service_factory: Factory, tmp_path: Path
) -> None:
    url, _ = service_factory()
    slo = write(tmp_path / "slo.yaml", counting_slos())
    master_port, worker_metrics = free_port(), free_port()
    out = tmp_path / "out"
    stderr_path = tmp_path / "stderr.txt"
    with stderr_path.open("w") as stderr:
        gate = subprocess.Popen(
            [sys.executable, "-m", "harness", "run", "--locustfile", SHOP, "--slo", str(slo), "--target", url,
             "--users", "10", "--spawn-rate", "10", "--warmup", "3s", "--duration", "10s", "--out", str(out),
             "--expect-workers", "1", "--master-bind", f"127.0.0.1:{master_port}",
             "--worker-metrics", f"127.0.0.1:{worker_metrics}"],
            cwd=REPO, stdout=subprocess.PIPE, stderr=stderr, text=True,
        )  # fmt: skip
        worker = None
        try:
            deadline = time.monotonic() + 60
            while "load:" not in stderr_path.read_text():
                assert time.monotonic() < deadline and gate.poll() is None, stderr_path.read_text()
                time.sleep(0.1)
            worker = subprocess.Popen(
                [sys.executable, "-m", "locust", "-f", f"{PLUGIN},{REPO / SHOP}", "--worker",
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
    run = CliRun(gate.returncode, stdout, stderr_path.read_text(), out)

    assert run.returncode == 0, run.stdout + run.stderr
    client_window = run.result["client"]["total"]["requests"]
    by_prometheus = {s["name"]: s["events"] for s in run.result["slos"]}
    assert client_window > 1000
    assert by_prometheus["client-count"] == pytest.approx(
        client_window, rel=EDGE_ESTIMATE_TOLERANCE
    )
    assert by_prometheus["server-count"] == pytest.approx(
        client_window, rel=EDGE_ESTIMATE_TOLERANCE
    )
    assert leftover_processes(run.run_ids) == []


def test_remote_worker_flags_must_come_together(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    run = run_cli(
        "run", "--locustfile", SHOP, "--slo", str(REPO / "slo/recommender.yaml"), "--expect-workers", "2",
        "--worker-metrics", "127.0.0.1:9646", out_dir=tmp_path / "out",
    )  # fmt: skip

    assert run.returncode == 2
    assert "--worker-metrics: 1 given for 2 workers" in run.stderr
