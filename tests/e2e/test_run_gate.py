"""The walking skeleton end to end: real reference service, real Prometheus, real Locust.

Each test runs the ``loadgate`` CLI as a process, as a user or CI would, and checks the exit code,
result.json, and that no process it started is left behind.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import (
    EDGE_ESTIMATE_TOLERANCE,
    REPO,
    CliRun,
    free_port,
    home_requests,
    leftover_processes,
    run_cli,
    wait_for,
    write,
)
from tests.e2e.slo_texts import client_availability_slo, client_latency_slo

pytestmark = [pytest.mark.e2e]

SMOKE = "scenarios/smoke.yaml"
CI = "scenarios/ci.yaml"
LOCUSTFILE = "scenarios/locustfiles/recommendations.py"


def assert_nothing_left_behind(run: CliRun) -> None:
    assert run.run_ids, "the run made no run folder"
    assert leftover_processes(run.run_ids) == []


# load: the ci gate's latency SLOs must be met on a machine of its own
@pytest.mark.load
def test_the_ci_gate_measures_each_sli_like_locust_exercises_500_shoppers_and_an_impossible_slo_fails_it(
    out_dir: Path, tmp_path: Path
) -> None:
    # One run of the scenario CI gates with shows both sides of the gate: the shipped SLOs are
    # met, each counted over the same window as the load generator; beside them 99.99 % of
    # requests within 1 ms, as a Python HTTP client measures, is not achievable — and fails the
    # run, named. Its 45 s of shopper sessions ask for at least 500 distinct shoppers (#14).
    impossible = write(
        tmp_path / "impossible.yaml", client_latency_slo("home-in-1ms", "0.001", 0.9999)
    )
    run = run_cli(
        "run", CI, "--slo", "slo/recommender.yaml", "--slo", str(impossible), out_dir=out_dir
    )

    assert run.returncode == 1, run.stdout + run.stderr
    result = run.result
    assert result["verdict"] == "fail"
    assert result["schema"] == 1
    *shipped, breached = result["slos"]
    assert [s["status"] for s in shipped] == ["met"] * 9, [(s["name"], s["sli"]) for s in shipped]
    assert breached["name"] == "home-in-1ms" and breached["status"] == "breached"
    assert breached["sli"] < 0.9999
    assert [r for r in result["reasons"] if "home-in-1ms" in r] == result["reasons"]
    assert "home-in-1ms" in run.stdout
    # The home SLOs judge the home page: compare with the load generator's count for it.
    [home] = [e for e in result["client"]["endpoints"] if e["name"] == "/v1/recommendations/home"]
    assert home["requests"] >= 1000
    expected_sli = 1 - home["failures"] / home["requests"]
    for slo in shipped:
        if not slo["name"].startswith("home-"):
            continue
        # Prometheus counted over the same window as the load generator did.
        assert slo["events"] == pytest.approx(home["requests"], rel=EDGE_ESTIMATE_TOLERANCE), slo[
            "name"
        ]
        if "availability" in slo["name"]:
            assert slo["sli"] == pytest.approx(expected_sli, rel=0.01), slo["name"]
    window = result["run"]["load_window"]
    assert window["seconds"] == pytest.approx(45, abs=1.5)
    traffic = result["traffic"]
    assert traffic["seed"] == 42 and traffic["seed_given"]  # the scenario's
    assert traffic["distinct_visitors"] >= 500, traffic
    assert traffic["sessions"] > traffic["distinct_visitors"]  # returning shoppers come back
    assert traffic["cache_hit_ratio"] is not None and 0 < traffic["cache_hit_ratio"] < 1
    assert {c["check"] for c in traffic["checks"]} == {
        "full",
        "distinct",
        "in_stock",
        "not_degraded",
    }
    assert f"{traffic['distinct_visitors']:,} distinct visitors" in run.stdout
    assert "service cache hit ratio" in run.stdout
    assert_progress_lines_in_the_log(run, result)
    assert_nothing_left_behind(run)


PROGRESS = re.compile(
    r"\[((?:\dm)?\d+)s/55s\] (warm-up|window): (\d+) req/s, p99 ([\d.]+) ms, "
    r"(\d+) errors \(([\d.]+)%\), SLOs: (.*)"
)


def assert_progress_lines_in_the_log(run: CliRun, result: dict[str, Any]) -> None:
    """Not a terminal: the live view is one plain line per 15 s on stderr, with real numbers."""
    lines = PROGRESS.findall(run.stderr)
    # The Locust phase lasts a little over its 55 s (start-up, final scrape): 3 lines, or 4.
    assert 3 <= len(lines) <= 4, run.stderr
    assert [line[1] for line in lines][-2:] == ["window", "window"]  # the warm-up is 10 s
    (_, phase, rate, p99, errors, error_pct, slos) = lines[-1]
    assert phase == "window"
    total = result["client"]["total"]
    average = total["requests"] / result["run"]["load_window"]["seconds"]
    assert 0.5 * average <= int(rate) <= 2 * average, (rate, average)
    assert 0 < float(p99) < 1000
    assert float(error_pct) < 1, errors  # the shipped SLOs hold: at most a few failures
    counts = re.findall(r"(\d+) (met so far|burning|no data yet|unknown)", slos)
    assert sum(int(n) for n, _ in counts) == 10, slos
    assert "home-in-1ms" in slos  # burning SLOs are named: the impossible one burns
    assert {status for _, status in counts} <= {"met so far", "burning"}, slos


# load_shared: it ends before any load
@pytest.mark.load_shared
def test_prometheus_url_at_a_closed_port_is_inconclusive_with_a_one_line_reason(
    out_dir: Path,
) -> None:
    closed = f"http://127.0.0.1:{free_port()}"

    run = run_cli("run", SMOKE, "--prometheus-url", closed, out_dir=out_dir)

    assert run.returncode == 3, run.stdout + run.stderr
    result = run.result
    assert result["verdict"] == "inconclusive"
    [reason] = result["reasons"]
    assert "\n" not in reason and closed in reason and "Prometheus" in reason
    assert_nothing_left_behind(run)


@pytest.mark.load_shared
def test_a_target_that_is_down_at_start_is_inconclusive(out_dir: Path) -> None:
    down = f"http://127.0.0.1:{free_port()}"

    run = run_cli("run", SMOKE, "--target", down, out_dir=out_dir)

    assert run.returncode == 3, run.stdout + run.stderr
    assert run.result["verdict"] == "inconclusive"
    assert "does not answer" in run.result["reasons"][0]
    assert_nothing_left_behind(run)


# load_shared: failures counted and an availability SLO breached, whatever the machine's pace
@pytest.mark.load_shared
def test_a_target_killed_mid_run_fails_with_its_failures_counted(
    out_dir: Path, tmp_path: Path, reference_service: tuple[str, subprocess.Popen[bytes]]
) -> None:
    url, service = reference_service
    slo = write(tmp_path / "availability.yaml", client_availability_slo("home-availability", 0.99))
    command = [
        sys.executable, "-m", "harness", "run", "--locustfile", LOCUSTFILE, "--slo", str(slo),
        "--target", url, "--users", "10", "--spawn-rate", "10", "--warmup", "1s",
        "--duration", "10s", "--out", str(out_dir),
    ]  # fmt: skip
    gate = subprocess.Popen(
        command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        wait_for_home_requests(url, at_least=50, timeout_s=60)
        service.kill()
        stdout, stderr = gate.communicate(timeout=120)
    finally:
        gate.kill()
    run = CliRun(gate.returncode, stdout, stderr, out_dir)

    assert run.returncode == 1, stdout + stderr
    result = run.result
    assert result["verdict"] == "fail"
    assert result["client"]["total"]["failures"] > 0
    assert result["slos"][0]["status"] == "breached"
    assert_nothing_left_behind(run)


# load_shared: an interrupted run is inconclusive whatever else it measured
@pytest.mark.load_shared
def test_ctrl_c_stops_every_process_and_keeps_a_partial_result(
    out_dir: Path, tmp_path: Path
) -> None:
    stderr_path = tmp_path / "stderr.txt"
    with stderr_path.open("w") as stderr_file:
        gate = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "harness",
                "run",
                SMOKE,
                "--duration",
                "60s",
                "--out",
                str(out_dir),
            ],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=stderr_file,
            text=True,
            preexec_fn=as_in_a_terminal,
        )
        try:
            wait_for(lambda: "load:" in stderr_path.read_text(), timeout_s=60)
            # Interrupt inside the window, once it has measured a hundred requests.
            wait_for(lambda: "measured window opened" in locust_log(out_dir), timeout_s=60)
            target = re.search(r"target: (\S+)", stderr_path.read_text()).group(1)  # type: ignore[union-attr]
            wait_for_home_requests(target, at_least=home_requests(target) + 100, timeout_s=30)
            gate.send_signal(signal.SIGINT)
            stdout, _ = gate.communicate(timeout=60)
        finally:
            gate.kill()
    run = CliRun(gate.returncode, stdout, stderr_path.read_text(), out_dir)

    assert run.returncode == 3, run.stdout + run.stderr
    result = run.result
    assert result["verdict"] == "inconclusive"
    assert any("interrupted" in reason for reason in result["reasons"])
    # What was measured before the interrupt survives: the window so far and its requests.
    assert result["client"]["total"]["requests"] > 0
    assert result["run"]["load_window"]["seconds"] < 60
    assert_nothing_left_behind(run)


def as_in_a_terminal() -> None:  # in the child, before exec
    # A shell starts background jobs with SIGINT ignored, and Python keeps an ignored SIGINT
    # ignored, so under `make test &` Ctrl-C would never arrive. In a terminal it does.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def locust_log(out_dir: Path) -> str:
    logs = list(out_dir.glob("*/logs/locust.log"))
    return logs[0].read_text() if logs else ""


def wait_for_home_requests(url: str, at_least: float, timeout_s: float) -> None:
    wait_for(lambda: home_requests(url) >= at_least, timeout_s)
