"""Shared fixtures: run the real ``loadgate`` CLI as a process, and find processes it left behind."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import pytest
import requests

from tests.result_schema import check_result

REPO = Path(__file__).resolve().parent.parent
RUN_ID_ENV = "LOADGATE_RUN_ID"
# How far Prometheus's count over a window may differ from the load generator's. increase() fills
# the parts of the window before its first and after its last scrape (up to 1 s each) from the
# window's average rate; a closed model's rate varies ±10 % from second to second, so over a
# 10–12 s window the count is off by ±0.6 % typically, 1.9 % at most in 9 smoke runs
# (docs/result-json.md). What it still catches: a window of the wrong length (a second short of
# 12 s is −8 %), the warm-up counted too (+25 % in the smoke run), a lost process's requests;
# where the load starts with the window (no warm-up), also a window 0.4 s out of place.
EDGE_ESTIMATE_TOLERANCE = 0.03


@dataclass
class CliRun:
    returncode: int
    stdout: str
    stderr: str
    out_dir: Path

    @property
    def result(self) -> dict[str, Any]:
        """The run's result.json (there is exactly one run folder per CLI call in these tests),
        checked against docs/result-json.schema.json: every e2e run's document is."""
        files = list(self.out_dir.glob("*/result.json"))
        assert len(files) == 1, f"expected one result.json in {self.out_dir}, found {files}"
        document: dict[str, Any] = json.loads(files[0].read_text())
        check_result(document, str(files[0]))
        return document

    @property
    def run_ids(self) -> list[str]:
        return (
            [p.name for p in self.out_dir.iterdir() if p.is_dir()] if self.out_dir.exists() else []
        )


def run_cli(*args: str, out_dir: Path, timeout: float = 180, cwd: Path = REPO) -> CliRun:
    """Run ``loadgate`` as a user would, in its own process."""
    if args and args[0] == "run":  # --out before any `--`: what follows that is Locust's
        cut = args.index("--") if "--" in args else len(args)
        args = (*args[:cut], "--out", str(out_dir), *args[cut:])
    completed = subprocess.run(
        [sys.executable, "-m", "harness", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return CliRun(completed.returncode, completed.stdout, completed.stderr, out_dir)


def leftover_processes(run_ids: list[str], timeout_s: float = 3.0) -> list[str]:
    """Processes still alive that a run started (every child carries the run id in its env)."""
    wanted = set(run_ids)
    deadline = time.monotonic() + timeout_s
    while True:
        found = []
        for process in psutil.process_iter(["pid", "cmdline"]):
            try:
                if process.status() == psutil.STATUS_ZOMBIE:
                    continue
                if process.environ().get(RUN_ID_ENV) in wanted:
                    found.append(f"{process.pid}: {' '.join(process.info['cmdline'] or [])[:120]}")
            except (psutil.Error, OSError):
                continue
        # Killed processes vanish within milliseconds; a short bounded look avoids a race with
        # the kernel reaping them, and still catches anything that really survived.
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    return tmp_path / "reports"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def service_factory() -> Iterator[Callable[..., tuple[str, subprocess.Popen[bytes]]]]:
    """Start the reference service with the given flags (faults, sizes), as a user's own service."""
    started: list[subprocess.Popen[bytes]] = []

    def start(*flags: str) -> tuple[str, subprocess.Popen[bytes]]:
        port = free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "services_under_test.recommender", "--port", str(port), *flags],
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started.append(process)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{url}/healthz", timeout=1).ok:
                    return url, process
            except requests.RequestException:
                pass
            assert process.poll() is None, "the reference service exited at start"
            time.sleep(0.1)
        pytest.fail("the reference service did not become healthy")

    yield start
    for process in started:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture
def reference_service(
    service_factory: Callable[..., tuple[str, subprocess.Popen[bytes]]],
) -> tuple[str, subprocess.Popen[bytes]]:
    return service_factory()


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def home_requests(url: str) -> float:
    """Home requests the service has served, from its own /metrics."""
    text = requests.get(f"{url}/metrics", timeout=2).text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("http_server_request_duration_seconds_count")
        and "/v1/recommendations/home" in line
    )


def wait_for(predicate: Callable[[], bool], timeout_s: float) -> None:
    """Poll ``predicate`` until it holds; fail the test at the deadline (a bounded wait)."""
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.1)
