"""A distributed run across hosts that share no network but a switch (issue #17): the master —
loadgate and the Prometheus it starts — on one, two Locust workers on two others, the reference
service on a fourth. The hosts are network namespaces joined by veth pairs (network_namespaces.py),
so every message, scrape and request crosses a real interface between separate network stacks, as
between machines: the workers find the master and the target by address, Prometheus scrapes them
across the switch, nothing on loopback is shared.

* Closed model: the requests the workers sent, as loadgate counts them, are the service's count.
* Open model: the arrival rate splits evenly over the workers, and their arrivals merged are
  one Poisson stream.
* A worker killed mid-run, and a worker whose CPU saturates, make the run inconclusive (exit 3).
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from harness.load.plugin_path import PLUGIN
from harness.run_folder import CLIENT_DIR, CLIENT_RESULTS_GLOB, WINDOW_FILE
from tests.conftest import REPO, CliRun, write
from tests.e2e.network_namespaces import IP, Host, Network, why_not_available
from tests.e2e.slo_texts import client_availability_slo
from tests.e2e.test_remote_workers import BURNING

pytestmark = [pytest.mark.e2e]

HERE = Path(__file__).parent
RECORDING = HERE / "many_hosts_locustfile.py"
SERVICE_PORT, MASTER_PORT, EXPORTER_PORT = 8080, 5557, 9646
RUN_BOUND_S = 180  # a run here takes about 20 s; the harness bounds Locust itself too
COUNT_TOLERANCE = 0.005  # the workers' count against the service's, the bound issue #17 sets


@pytest.fixture(scope="module")
def network() -> Iterator[Network]:
    reason = why_not_available()
    if reason is not None:
        pytest.skip(f"hosts are network namespaces here, and {reason}")
    hosts = Network(f"lg{os.getpid()}").open(["master", "worker1", "worker2", "target"])
    try:
        yield hosts
    finally:
        hosts.close()
    left = subprocess.run([IP, "netns", "list"], capture_output=True, text=True, check=False).stdout
    assert hosts.prefix not in left, f"namespaces left behind: {left}"


@pytest.fixture(scope="module")
def target(network: Network) -> Iterator[str]:
    """The reference service on its own host, listening only on that host's address."""
    host = network.hosts["target"]
    service = subprocess.Popen(
        host.python("-m", "services_under_test.recommender", "--host", host.address,
                    "--port", str(SERVICE_PORT)),
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://{host.address}:{SERVICE_PORT}"
    try:
        network.hosts["master"].fetch(f"{url}/healthz")  # across the switch, as the master will
        yield url
    finally:
        service.kill()
        service.wait(timeout=10)


def served(network: Network, target: str) -> int:
    """Requests to /v1/ routes the service has answered since it started, by its own metrics."""
    text = network.hosts["target"].fetch(f"{target}/metrics")
    return round(
        sum(
            sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
            if sample.name == "http_server_request_duration_seconds_count"
            and sample.labels.get("http_route", "").startswith("/v1/")
        )
    )


@dataclass
class HostsRun:
    run: CliRun
    workers: list[subprocess.Popen[bytes]]
    recorded: list[list[tuple[float, float]]]  # each worker's requests (started, finished)
    per_worker: list[dict[str, object]]  # each worker's results as the master wrote them


def run_across_hosts(
    network: Network,
    target: str,
    tmp_path: Path,
    scenario: Path,
    locustfiles: tuple[Path, Path] = (RECORDING, RECORDING),
    during_load: Callable[[list[subprocess.Popen[bytes]]], None] | None = None,
) -> HostsRun:
    """``loadgate run SCENARIO`` on the master's host, a worker started on each worker host."""
    master, hosts = network.hosts["master"], [network.hosts["worker1"], network.hosts["worker2"]]
    out, recorded = tmp_path / "out", tmp_path / "recorded"
    recorded.mkdir()
    stderr_path = tmp_path / "stderr.txt"
    metrics = [
        arg for host in hosts for arg in ("--worker-metrics", f"{host.address}:{EXPORTER_PORT}")
    ]
    workers: list[subprocess.Popen[bytes]] = []
    with stderr_path.open("w") as stderr:
        gate = subprocess.Popen(
            master.python("-m", "harness", "run", str(scenario), "--target", target, "--allow-remote",
                          "--out", str(out), "--expect-workers", "2",
                          "--master-bind", f"{master.address}:{MASTER_PORT}", *metrics),
            cwd=REPO, stdout=subprocess.PIPE, stderr=stderr, text=True,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while "load:" not in stderr_path.read_text():  # the master listens: start the workers
                assert time.monotonic() < deadline and gate.poll() is None, stderr_path.read_text()
                time.sleep(0.1)
            workers = [start_worker(host, master, locustfile, recorded)
                       for host, locustfile in zip(hosts, locustfiles, strict=True)]  # fmt: skip
            if during_load is not None:
                during_load(workers)
            stdout, _ = gate.communicate(timeout=RUN_BOUND_S)
            for worker in workers:
                worker.wait(timeout=30)
        finally:
            for process in (gate, *workers):
                process.kill()
    run = CliRun(gate.returncode, stdout, stderr_path.read_text(), out)
    requests = [json.loads(p.read_text()) for p in sorted(recorded.glob("requests-*.json"))]
    per_worker = [
        json.loads(p.read_text()) for p in sorted(out.glob(f"*/{CLIENT_DIR}/{CLIENT_RESULTS_GLOB}"))
    ]
    return HostsRun(run, workers, requests, per_worker)


def start_worker(
    host: Host, master: Host, locustfile: Path, recorded: Path
) -> subprocess.Popen[bytes]:
    """A Locust worker as another machine starts one: nothing of the harness's environment."""
    return subprocess.Popen(
        host.python("-m", "locust", "-f", f"{PLUGIN},{locustfile}", "--worker",
                    "--master-host", master.address, "--master-port", str(MASTER_PORT)),
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={"PATH": "/usr/bin:/bin", "LOADGATE_METRICS_ADDR": host.address,
             "LOADGATE_METRICS_PORTS": str(EXPORTER_PORT), "RECORD_REQUESTS_DIR": str(recorded)},
    )  # fmt: skip


def scenario_file(tmp_path: Path, load: str, gate: str = "") -> Path:
    slo = write(tmp_path / "slo.yaml", client_availability_slo("home-ok", 0.9))
    return write(
        tmp_path / "scenario.yaml",
        f"name: many-hosts\nload:\n  locustfile: {RECORDING}\n{load}slos:\n  - {slo}\n{gate}",
    )


def requests_of(worker_results: dict[str, object]) -> int:
    endpoints = worker_results["endpoints"]
    assert isinstance(endpoints, list)
    return sum(int(entry["requests"]) for entry in endpoints)


# load_shared: what it judges are counts and an exit code, not speed
@pytest.mark.load_shared
def test_closed_model_the_workers_count_what_the_service_served(
    network: Network, target: str, tmp_path: Path
) -> None:
    # No warm-up: the window is the whole load, so every request sent is in it and comparable
    # with the service's own total over the run.
    scenario = scenario_file(
        tmp_path, "  users: 10\n  spawn_rate: 10\n  warmup: 0s\n  duration: 15s\n"
    )
    before = served(network, target)

    hosts_run = run_across_hosts(network, target, tmp_path, scenario)

    run = hosts_run.run
    assert run.returncode == 0, run.stdout + run.stderr
    by_service = served(network, target) - before
    assert by_service > 2000  # 10 users at ~20 requests/s for 15 s: about 3,000
    # What the workers saw is what the service served: short only of the requests in flight when
    # the load stopped (killed on the worker unrecorded, yet served), at most one per user.
    sent = [len(requests) for requests in hosts_run.recorded]
    assert len(sent) == 2 and sum(sent) == pytest.approx(by_service, rel=COUNT_TOLERANCE)
    assert 0 <= by_service - sum(sent) <= 10
    # loadgate counts, of each worker's requests, those that ended inside the window, carried to
    # the master in its results message: none lost or counted twice on the way. A worker learns
    # of the window's end by a message from the master, so a request ending while that message
    # crosses the switch (a few milliseconds) may still be counted: a handful, never a share.
    (window_file,) = run.out_dir.glob(f"*/{CLIENT_DIR}/{WINDOW_FILE}")
    window = json.loads(window_file.read_text())  # epoch seconds, as the master closed it
    in_window = sorted(
        sum(window["start"] <= ended <= window["end"] for _, ended in requests)
        for requests in hosts_run.recorded
    )
    counted = sorted(requests_of(results) for results in hosts_run.per_worker)
    assert all(0 <= c - w <= 5 for c, w in zip(counted, in_window, strict=True)), (
        counted,
        in_window,
    )
    assert run.result["client"]["total"]["requests"] == sum(counted)
    # The rest were sent after the master closed the window, before its stop reached the
    # worker (one message across the switch): a sliver, not a share.
    assert sum(sent) - sum(counted) < 0.01 * sum(sent)
    assert all(0.35 < c / sum(counted) < 0.65 for c in counted), counted  # the users split
    # Each worker's CPU came with its results (beside the master's own, sampled locally).
    reported = {p["process"] for p in run.result["generator"]["processes"]}
    workers = {f"worker on {os.uname().nodename} (pid {w.pid})" for w in hosts_run.workers}
    assert workers <= reported, reported


@pytest.mark.load_shared
def test_open_model_the_rate_splits_over_workers_and_stays_poisson(
    network: Network, target: str, tmp_path: Path
) -> None:
    rate, seconds = 100, 10
    scenario = scenario_file(
        tmp_path,
        f"  arrival_rate: {rate}\n  arrivals: poisson\n  users: 20\n  spawn_rate: 20\n  warmup: 1s\n"
        f"  duration: {seconds}s\n",
    )

    hosts_run = run_across_hosts(network, target, tmp_path, scenario)

    run = hosts_run.run
    assert run.returncode == 0, run.stdout + run.stderr
    achieved = run.result["generator"]["achieved_arrival_rate"]
    assert achieved == pytest.approx(rate, rel=0.1)
    # Each worker drew its own half of the arrivals (a Poisson count: ±3σ of 500 is ±13 %).
    scheduled = [results["arrivals"]["scheduled"] for results in hosts_run.per_worker]  # type: ignore[index]
    assert len(scheduled) == 2
    assert all(abs(s - rate * seconds / 2) < 0.2 * rate * seconds / 2 for s in scheduled), scheduled
    # Merged, they are one Poisson stream: exponential gaps (coefficient of variation 1), and
    # two independent streams, not one schedule sent twice (whose k-th gaps would agree).
    first, second = (sorted(start for start, _ in requests) for requests in hosts_run.recorded)
    merged = sorted(first + second)
    gaps = [b - a for a, b in pairwise(merged)]
    assert 0.85 < statistics.pstdev(gaps) / statistics.fmean(gaps) < 1.15
    first_gaps, second_gaps = ([b - a for a, b in pairwise(t)] for t in (first, second))
    alike = [abs(a - b) < 0.001 for a, b in zip(first_gaps, second_gaps, strict=False)]
    assert sum(alike) / len(alike) < 0.2, sum(alike) / len(alike)


@pytest.mark.load_shared  # what it judges is a missing worker's results
def test_a_worker_killed_mid_run_makes_the_run_inconclusive(
    network: Network, target: str, tmp_path: Path
) -> None:
    scenario = scenario_file(
        tmp_path, "  users: 4\n  spawn_rate: 4\n  warmup: 1s\n  duration: 10s\n"
    )
    before = served(network, target)

    def kill_one_once_load_flows(workers: list[subprocess.Popen[bytes]]) -> None:
        deadline = time.monotonic() + 60
        while served(network, target) - before < 100:  # both workers are sending by now
            assert time.monotonic() < deadline, "no load reached the service"
        workers[1].send_signal(signal.SIGKILL)

    hosts_run = run_across_hosts(
        network, target, tmp_path, scenario, during_load=kill_one_once_load_flows
    )

    run = hosts_run.run
    assert run.returncode == 3, run.stdout + run.stderr
    reasons = " ".join(run.result["reasons"])
    assert "results of 1 of 2 load-generating processes are missing" in reasons, reasons


# load_shared: the burning worker needs only a fifth of a core to show; the others use far less
@pytest.mark.load_shared
def test_a_worker_whose_cpu_saturates_makes_the_run_inconclusive(
    network: Network, target: str, tmp_path: Path
) -> None:
    # The limit is low so that a busy shared machine, which gives the burning worker less than
    # a whole core, still shows it; the other worker, at ~20 requests/s, stays far below.
    scenario = scenario_file(
        tmp_path,
        "  users: 2\n  spawn_rate: 2\n  warmup: 2s\n  duration: 6s\n",
        gate="gate:\n  max_generator_cpu: 20\n",
    )
    burning = write(tmp_path / "burning.py", BURNING)

    hosts_run = run_across_hosts(network, target, tmp_path, scenario, (burning, RECORDING))

    run = hosts_run.run
    assert run.returncode == 3, run.stdout + run.stderr
    burner = f"worker on {os.uname().nodename} (pid {hosts_run.workers[0].pid})"
    reported = {p["process"]: p["cpu_max"] for p in run.result["generator"]["processes"]}
    assert reported[burner] > 20, reported
    assert any(f"saturated: {burner} used" in reason for reason in run.result["reasons"])
