"""Fail closed everywhere (issue #11): each fault of the matrix, with real parts, ends in its exit
code, a result.json naming the cause in one line (where a folder can hold one), no process left
behind, and within a stated time.

Cases share one reference service (``--target``) and, where Locust's own metrics are not needed,
one Prometheus (``--prometheus-url``); the others use the run's private Prometheus, as by default.
A misbehaving Prometheus or target is a proxy in front of the real one (tests/e2e/misbehaving.py).
Loads are short: a 1 s warm-up and a 4 s window, or 30 s for faults inside the window (cut short
by the fault).
"""

from __future__ import annotations

import errno
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
import pytest

from harness.prometheus_api import QUERY_TIMEOUT_S, PrometheusAPI
from harness.stack.processes import RUN_ID_ENV, ProcessGroup
from harness.stack.prometheus import scrape_targets_for, start_private_prometheus
from harness.stack.service import start_reference_service
from tests.conftest import (
    REPO,
    CliRun,
    free_port,
    home_requests,
    leftover_processes,
    run_cli,
    wait_for,
    write,
)
from tests.e2e.misbehaving import CUT, HANG, misbehaving_proxy
from tests.e2e.slo_texts import client_availability_slo

pytestmark = [pytest.mark.e2e]

HOME_ONLY = Path(__file__).with_name("home_only_locustfile.py")
WARMUP_S, WINDOW_S = 1, 4
# Beyond warm-up and window: Locust's start (2–3 s), the private Prometheus's start and first
# scrape of the service (2–5 s), the reports — measured 8–12 s on the shared 2-core machine.
OVERHEAD_S = 25
# The plugin's bounded wait for a last scrape when Locust quits (FINAL_SCRAPE_WAIT_S in
# harness/load/plugin.py, which imports Locust and so is never imported here): a Prometheus that
# does not scrape Locust's exporter, like the shared one, makes every load end this much later.
FINAL_SCRAPE_WAIT_S = 10


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, PrometheusAPI]]:
    """One reference service and one Prometheus scraping it, for the cases they survive."""
    folder = tmp_path_factory.mktemp("stack")
    with ProcessGroup(folder / "logs", "fault-matrix-stack") as group:
        url, _ = start_reference_service(group)
        targets = scrape_targets_for(url, [], ())
        yield url, start_private_prometheus(group, folder / "prom", folder / "tsdb", targets)


@pytest.fixture
def slo(tmp_path: Path) -> Path:
    return write(tmp_path / "availability.yaml", client_availability_slo("home-ok", 0.99))


def load_args(target: str, slo: Path, locustfile: Path = HOME_ONLY) -> list[str]:
    return [
        "run", "--locustfile", str(locustfile), "--slo", str(slo), "--target", target,
        "--users", "4", "--spawn-rate", "4", "--warmup", f"{WARMUP_S}s", "--duration", f"{WINDOW_S}s",
    ]  # fmt: skip


def long_window(args: list[str]) -> list[str]:
    """For a fault inside the window: 30 s, so that a slow machine cannot end it first."""
    return [*args[: args.index("--duration")], "--duration", "30s"]


def assert_inconclusive(run: CliRun, *words: str) -> str:
    assert run.returncode == 3, run.stdout + run.stderr
    result = run.result
    assert result["verdict"] == "inconclusive" and result["exit_code"] == 3
    reason = result["reasons"][0]
    assert "\n" not in reason and all(word in reason for word in words), result["reasons"]
    assert leftover_processes(run.run_ids) == []
    return str(reason)


class Gate:
    """``loadgate run`` in the background, so the test can break something while it runs."""

    def __init__(self, args: list[str], out_dir: Path, stderr: Path) -> None:
        self.out_dir, self.stderr_path = out_dir, stderr
        with stderr.open("w") as sink:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "harness", *args, "--out", str(out_dir)],
                cwd=REPO, stdout=subprocess.PIPE, stderr=sink, text=True,
                preexec_fn=_default_sigint,
            )  # fmt: skip

    def locust_log(self) -> str:
        logs = list(self.out_dir.glob("*/logs/locust.log"))
        return logs[0].read_text() if logs else ""

    def wait_for_window(self, requests_to: str | None = None) -> None:
        """Until the window opens — and, given the service, it has served 50 more requests."""
        wait_for(lambda: "measured window opened" in self.locust_log(), timeout_s=60)
        if requests_to is not None:
            served = home_requests(requests_to) + 50
            wait_for(lambda: home_requests(requests_to) >= served, timeout_s=30)

    def child(self, name: str) -> psutil.Process:
        """The run's ``prometheus`` or ``locust`` (children carry the run id in their env)."""
        [run_id] = [p.name for p in self.out_dir.iterdir()]
        for process in psutil.process_iter(["cmdline"]):
            try:
                argv = process.info["cmdline"] or []
                program = argv[2] if argv[1:2] == ["-m"] else Path(argv[0]).name
                if process.environ().get(RUN_ID_ENV) == run_id and program == name:
                    return process
            except (psutil.Error, IndexError):
                continue
        raise AssertionError(f"no {name} process of run {run_id}")

    def finish(self, timeout_s: float) -> tuple[CliRun, float]:
        """The run as it ended, and the seconds it took from now."""
        since = time.monotonic()
        try:
            stdout, _ = self.process.communicate(timeout=timeout_s)
        finally:
            self.process.kill()
        run = CliRun(self.process.returncode, stdout, self.stderr_path.read_text(), self.out_dir)
        return run, time.monotonic() - since


def _default_sigint() -> None:  # in the child: a background shell starts jobs with SIGINT ignored
    signal.signal(signal.SIGINT, signal.SIG_DFL)


# --- Prometheus -------------------------------------------------------------------------------


@pytest.mark.load_shared
def test_prometheus_killed_during_the_window_is_inconclusive(
    stack: tuple[str, PrometheusAPI], slo: Path, out_dir: Path, tmp_path: Path
) -> None:
    service, _ = stack
    gate = Gate(load_args(service, slo), out_dir, tmp_path / "stderr")  # its private Prometheus
    gate.wait_for_window()
    gate.child("prometheus").kill()

    run, took = gate.finish(timeout_s=WINDOW_S + FINAL_SCRAPE_WAIT_S + 30)

    assert_inconclusive(run, "Prometheus", "did not answer")
    assert took < WINDOW_S + FINAL_SCRAPE_WAIT_S + 10, took


@pytest.mark.parametrize(
    # The harness's own start (Python, imports: 2–3 s on a busy machine) is in the bound.
    ("fault", "bound_s"),
    [("503", 8), ("500", 8), (HANG, QUERY_TIMEOUT_S + 8)],
)
def test_prometheus_failing_its_queries_is_inconclusive_within_a_bound(
    stack: tuple[str, PrometheusAPI], slo: Path, out_dir: Path, fault: str, bound_s: float
) -> None:
    # /-/ready answers; every query answers 5xx, or is accepted and never answered.
    service, prometheus = stack
    with misbehaving_proxy(prometheus.url, "/api/v1/") as proxy:
        proxy.fault = fault
        started = time.monotonic()
        run = run_cli(*load_args(service, slo), "--prometheus-url", proxy.url, out_dir=out_dir)
        took = time.monotonic() - started

    reason = assert_inconclusive(run, f"Prometheus at {proxy.url}")
    assert ("timed out" in reason) if fault == HANG else (f"HTTP {fault}" in reason), reason
    assert took < bound_s, took
    assert not list(out_dir.glob("*/logs/locust.log"))  # it ended before any load


@pytest.mark.load_shared
def test_prometheus_hanging_after_the_window_is_inconclusive_within_a_bound(
    stack: tuple[str, PrometheusAPI], slo: Path, out_dir: Path, tmp_path: Path
) -> None:
    service, prometheus = stack
    with misbehaving_proxy(prometheus.url, "/api/v1/") as proxy:
        gate = Gate(
            [*load_args(service, slo), "--prometheus-url", proxy.url], out_dir, tmp_path / "err"
        )
        gate.wait_for_window()
        proxy.fault = HANG
        # The window, the plugin's wait for a last scrape (this Prometheus does not scrape Locust),
        # then one query's timeout.
        bound_s = WINDOW_S + FINAL_SCRAPE_WAIT_S + QUERY_TIMEOUT_S + 10
        run, took = gate.finish(timeout_s=bound_s + 30)

    assert_inconclusive(run, f"Prometheus at {proxy.url}", "timed out")
    assert proxy.faulted > 0 and took < bound_s, took


# --- the target -------------------------------------------------------------------------------

IMPATIENT = """\
from locust import FastHttpUser, constant, task


class Impatient(FastHttpUser):
    wait_time = constant(0.05)
    network_timeout = 1.0
    connection_timeout = 1.0

    @task
    def home(self) -> None:
        self.client.get("/v1/recommendations/home?user_id=11&n=10", name="/v1/recommendations/home")
"""


def test_a_target_that_never_answers_at_start_is_inconclusive_within_the_probe_timeout(
    stack: tuple[str, PrometheusAPI], slo: Path, out_dir: Path
) -> None:
    service, prometheus = stack
    with misbehaving_proxy(service, "/") as proxy:
        proxy.fault = HANG
        started = time.monotonic()
        run = run_cli(
            *load_args(proxy.url, slo), "--prometheus-url", prometheus.url, out_dir=out_dir
        )
        took = time.monotonic() - started

    assert_inconclusive(run, "does not answer HTTP")
    # The start probe waits 3 s; the rest is starting the harness, which the shared test pass's
    # busy cores stretched past 5 s once. Without the bound it would wait for Locust (a minute).
    assert took < 3 + 10, took


@pytest.mark.load_shared
def test_a_target_that_stops_answering_under_load_ends_within_the_network_timeout(
    stack: tuple[str, PrometheusAPI], slo: Path, out_dir: Path, tmp_path: Path
) -> None:
    # The start probe ("/") and Prometheus's scrapes pass; every request of the load hangs.
    service, _ = stack
    locustfile = write(tmp_path / "impatient.py", IMPATIENT)
    with misbehaving_proxy(service, "/v1/") as proxy:
        proxy.fault = HANG
        started = time.monotonic()
        run = run_cli(*load_args(proxy.url, slo, locustfile), out_dir=out_dir)
        took = time.monotonic() - started

    assert run.returncode in (1, 3), run.stdout + run.stderr
    result = run.result
    total = result["client"]["total"]
    # Each request ended at the locustfile's 1 s network timeout, as a failure.
    assert total["requests"] > 0 and total["failures"] == total["requests"], total
    assert 1000 <= total["p50_ms"] < 1500, total
    assert "\n" not in result["reasons"][0]
    assert leftover_processes(run.run_ids) == []
    assert took < WARMUP_S + WINDOW_S + OVERHEAD_S, took


@pytest.mark.load_shared
def test_a_target_closing_connections_mid_response_fails_with_the_errors_counted(
    stack: tuple[str, PrometheusAPI], slo: Path, out_dir: Path
) -> None:
    service, _ = stack
    with misbehaving_proxy(service, "/v1/") as proxy:
        proxy.fault, proxy.every = CUT, 5  # one response in five ends half-way
        run = run_cli(*load_args(proxy.url, slo), out_dir=out_dir)

    assert run.returncode == 1, run.stdout + run.stderr
    result = run.result
    total = result["client"]["total"]
    assert total["requests"] >= 100 and 0 < total["failures"] <= proxy.faulted
    assert total["failures"] / total["requests"] == pytest.approx(0.2, abs=0.05), total
    [home] = result["slos"]
    assert home["status"] == "breached" and home["sli"] == pytest.approx(0.8, abs=0.05)
    [reason] = result["reasons"]
    assert reason.startswith("SLO 'home-ok' breached") and "\n" not in reason
    assert leftover_processes(run.run_ids) == []


# --- the load generator and the harness itself -------------------------------------------------


@pytest.mark.load_shared
@pytest.mark.parametrize(
    ("sig", "words"),
    [
        (signal.SIGKILL, "crashed (exit code -9)"),
        # Locust quits cleanly on SIGTERM (exit 0): only its short window gives it away.
        (signal.SIGTERM, "before the window's end (exit code 0)"),
    ],
    ids=["SIGKILL", "SIGTERM"],
)
def test_locust_killed_during_the_window_is_inconclusive(
    stack: tuple[str, PrometheusAPI],
    slo: Path,
    out_dir: Path,
    tmp_path: Path,
    sig: signal.Signals,
    words: str,
) -> None:
    # Its private Prometheus scrapes Locust: the part of the window before the kill has data.
    service, _ = stack
    gate = Gate(long_window(load_args(service, slo)), out_dir, tmp_path / "err")
    gate.wait_for_window(requests_to=service)
    gate.child("locust").send_signal(sig)

    run, took = gate.finish(timeout_s=60)

    assert_inconclusive(run, "the load generator", words)
    assert took < FINAL_SCRAPE_WAIT_S + 10, took


@pytest.mark.load_shared
@pytest.mark.parametrize(
    ("sig", "phase"),
    [(signal.SIGTERM, "warm-up"), (signal.SIGINT, "warm-up"), (signal.SIGTERM, "window")],
    ids=["SIGTERM-warm-up", "SIGINT-warm-up", "SIGTERM-window"],
)
def test_a_signal_to_the_harness_leaves_a_partial_inconclusive_report(
    stack: tuple[str, PrometheusAPI],
    slo: Path,
    out_dir: Path,
    tmp_path: Path,
    sig: signal.Signals,
    phase: str,
) -> None:
    # (Ctrl-C inside the window: tests/e2e/test_run_gate.py.) The run's private Prometheus
    # scrapes Locust, so Locust stops at once, without waiting for a last scrape.
    service, _ = stack
    args = long_window(load_args(service, slo))
    if phase == "warm-up":
        args[args.index("--warmup") + 1] = "30s"
    gate = Gate(args, out_dir, tmp_path / "err")
    if phase == "warm-up":
        wait_for(lambda: "Ramping to 4 users" in gate.locust_log(), timeout_s=60)
    else:
        gate.wait_for_window(requests_to=service)
    gate.process.send_signal(sig)

    run, took = gate.finish(timeout_s=60)

    reason = assert_inconclusive(run, "interrupted")
    assert "partial" in reason
    window = run.result["run"]["load_window"]
    assert (window is None) if phase == "warm-up" else (0 < window["seconds"] < 30), window
    assert took < FINAL_SCRAPE_WAIT_S + 10, took


# --- the run folder and the baseline -----------------------------------------------------------


@contextmanager
def tmpfs(folder: Path, options: str) -> Iterator[Path]:
    """A small tmpfs mounted at ``folder`` (root only), unmounted however the test ends."""
    folder.mkdir(parents=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "--lazy", str(folder)], check=True)


def fill(folder: Path) -> None:
    """Fill the file system to the last byte."""
    with (folder / "filler").open("wb", buffering=0) as filler:
        try:
            while True:
                filler.write(b"\0" * 4096)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC


@pytest.mark.parametrize("state", ["read-only", "full"])
def test_a_run_folder_that_cannot_be_written_is_a_clear_error_and_nothing_half_written(
    slo: Path, tmp_path: Path, state: str
) -> None:
    # Read-only: the run's folder cannot be made, the first thing a run does. Full: the folder
    # is made (a directory takes no space on tmpfs), the run ends inconclusive at once (its
    # Prometheus is down), and its reports meet the full disk.
    down = f"http://127.0.0.1:{free_port()}"
    with tmpfs(tmp_path / "disk", "size=256k" + (",ro" if state == "read-only" else "")) as disk:
        if state == "full":
            fill(disk)
        started = time.monotonic()
        run = run_cli(*load_args(down, slo), "--prometheus-url", down, out_dir=disk / "reports")
        took = time.monotonic() - started
        written = [p for p in disk.rglob("*") if p.is_file() and p.name != "filler"]

    assert "Traceback" not in run.stderr, run.stderr
    if state == "read-only":
        assert run.returncode == 2, run.stderr
        assert "--out" in run.stderr and "Read-only file system" in run.stderr
    else:
        assert run.returncode == 3, run.stderr
        assert "could not write" in run.stderr and "No space left on device" in run.stderr
    assert str(disk / "reports") in run.stderr
    # Every file is whole or absent: no temporary file, no empty or cut report.
    assert [p for p in written if p.name.startswith(".") or p.stat().st_size == 0] == []
    assert took < 10, took


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"schema": 1, "samples": {"GET /h', "is not JSON"),
        ("[1, 2]", "is not a loadgate baseline"),
    ],
    ids=["cut short", "not a baseline"],
)
def test_a_corrupt_baseline_is_invalid_input_before_anything_starts(
    slo: Path, tmp_path: Path, text: str, message: str
) -> None:
    # (A baseline from different traffic: tests/e2e/test_gate_baseline.py.)
    baseline = write(tmp_path / "main.json", text)
    down = f"http://127.0.0.1:{free_port()}"  # nothing runs, so nothing is reached

    run = run_cli(*load_args(down, slo), "--baseline", str(baseline), out_dir=tmp_path / "reports")

    assert run.returncode == 2, run.stdout + run.stderr
    assert str(baseline) in run.stderr and message in run.stderr
    assert not (tmp_path / "reports").exists()
