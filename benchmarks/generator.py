"""The load generator's own cost and accuracy, measured side by side in one run.

    .venv/bin/python benchmarks/generator.py [--rounds 3] [--seconds 14]

A hello-world aiohttp server (benchmarks/hello_app.py) pinned to core 0 is the target, so the
generator, pinned to core 1, is what saturates. Reports:

1. CPU time per request: a FastHttpUser loop with loadgate's plugin loaded vs the same loop bare
   (goal ≤ 1.05×), interleaved, median of per-round ratios. Counted over the run's steady stretch
   (from STEADY_AFTER_S to the end of load: the generator's CPU against the requests the server
   counted), so Locust's start-up, which imports more with the plugin, is not charged per request.
   And side by side: both at the same time on core 1, each against its own server on core 0,
   so the shared machine's swings (which moved one run's CPU per request by 50 % from the
   next) fall on both alike: the steadier of the two ratios on a noisy machine;
2. open model: achieved vs target arrivals at 10 % … 60 % of the generator's capacity, and at
   80 % once per round (the goal: within 1 % in every run);
3. --processes 2 vs 1 (closed, saturating; only 2 cores here, so the two workers share them with
   the server: read it as an upper bound on contention, not a scaling figure).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import requests

STEADY_AFTER_S = 6.0  # users spawned, imports done: from here on the loop is all that runs

REPO = Path(__file__).resolve().parent.parent
PLUGIN = REPO / "harness/load/plugin.py"
LOOP = """
from locust import FastHttpUser, constant, task

class Loop(FastHttpUser):
    wait_time = constant(0)
    network_timeout = 10.0
    connection_timeout = 5.0

    @task
    def hello(self):
        self.client.get("/hello", name="/hello")
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(root: psutil.Process) -> float:
    total = 0.0
    for process in [root, *root.children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def served(host: str) -> int:
    return int(requests.get(f"{host}/served", timeout=5).json()["served"])


def locust(
    locustfile: Path,
    host: str,
    seconds: int,
    users: int,
    plugin: bool,
    cores: str = "1",
    env: dict[str, str] | None = None,
    processes: int = 1,
    steady: bool = True,
) -> tuple[float, int, float]:
    """Run Locust; returns (CPU seconds of all its processes, requests, wall seconds).

    ``steady``: over the steady stretch, from STEADY_AFTER_S after the start to the last reading
    before the load's end, with the requests the hello server counted (its /served). Otherwise
    over the whole run, with the requests Locust counted (for a target without /served)."""
    files = f"{PLUGIN},{locustfile}" if plugin else str(locustfile)
    out = Path(tempfile.mkdtemp()) / "stats"
    argv = ["taskset", "-c", cores, sys.executable, "-m", "locust", "-f", files, "--headless", "-u", str(users),
            "-r", str(users), "-t", f"{seconds}s", "--host", host, "--json-file", str(out), "--only-summary",
            "--loglevel", "WARNING"]  # fmt: skip
    if processes > 1:
        argv += ["--processes", str(processes)]
    process = subprocess.Popen(argv, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip
    root = psutil.Process(process.pid)
    started = time.monotonic()
    first: tuple[float, int, float] | None = None
    last: tuple[float, int, float] | None = None
    whole_run_cpu = 0.0
    while process.poll() is None:
        elapsed = time.monotonic() - started
        if steady and STEADY_AFTER_S <= elapsed <= seconds - 0.5:
            last = (cpu_seconds(root), served(host), time.monotonic())
            first = first or last
        whole_run_cpu = max(whole_run_cpu, cpu_seconds(root))
        time.sleep(0.2)
    if not steady:
        stats = json.loads(Path(f"{out}.json").read_text())
        return whole_run_cpu, sum(entry["num_requests"] for entry in stats), float(seconds)
    if first is None or last is None or last[1] <= first[1]:
        raise SystemExit(f"no steady stretch measured in a {seconds}s run: make --seconds longer")
    return last[0] - first[0], last[1] - first[1], last[2] - first[2]


def open_model(locustfile: Path, host: str, seconds: int, rate: float) -> dict[str, float]:
    """One open-model run at ``rate`` arrivals/s with the plugin: achieved/target arrivals over
    the window, and the arrivals dropped (no user free in time) and cut (queued at its end)."""
    results = Path(tempfile.mkdtemp())
    profile = {"stages": [{"duration_s": 1.0, "rate": rate, "ramp": False}], "poisson": False,
               "max_lateness_s": 1.0, "seed": 1, "share": 1.0}  # fmt: skip
    env = {"LOADGATE_ARRIVALS": json.dumps(profile), "LOADGATE_RESULTS_DIR": str(results),
           "LOADGATE_WARMUP_S": "2"}  # fmt: skip
    locust(locustfile, host, seconds + 2, max(10, int(rate * 0.05)), plugin=True, env=env)
    [client] = results.glob("client-*.json")
    arrivals = json.loads(client.read_text())["arrivals"]
    return {
        "rate": rate,
        "achieved": arrivals["started"] / arrivals["expected"],
        "dropped": arrivals["dropped"],
        "cut": arrivals["cut"],
    }


def start_hello() -> tuple[subprocess.Popen[bytes], str]:
    """A hello server on core 0, once it answers; returns it and its URL."""
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(["taskset", "-c", "0", sys.executable, str(REPO / "benchmarks/hello_app.py"),
                               "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    for _ in range(100):
        try:
            if requests.get(f"{host}/hello", timeout=1).ok:
                break
        except requests.RequestException:
            time.sleep(0.1)
    return server, host


def side_by_side(locustfile: Path, hosts: list[str], seconds: int) -> dict[str, float]:
    """Bare and plugin at the same time, both on core 1, each against its own server: the
    machine's swings (CPU steal, frequency) fall on both alike. CPU µs per request of each."""
    per_request: dict[str, float] = {}

    def run(name: str, host: str) -> None:
        cpu, count, _ = locust(locustfile, host, seconds, 20, plugin=name == "plugin")
        per_request[name] = cpu / count * 1e6

    threads = [
        threading.Thread(target=run, args=pair)
        for pair in zip(("bare", "plugin"), hosts, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if len(per_request) != 2:
        raise SystemExit("a side-by-side run failed: see above")
    return per_request


def ratio_line(label: str, ratios: list[float]) -> str:
    return (f"{label}: **{statistics.median(ratios):.3f}×** (goal ≤ 1.05×; rounds: "
            f"{', '.join(f'{r:.3f}' for r in ratios)})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=14)
    args = parser.parse_args()
    if args.seconds < STEADY_AFTER_S + 3:
        parser.error(
            f"--seconds must be at least {STEADY_AFTER_S + 3:.0f}: the steady stretch starts at {STEADY_AFTER_S:.0f} s"
        )
    servers = [start_hello(), start_hello()]  # the second one for the side-by-side runs
    host = servers[0][1]
    try:
        locustfile = Path(tempfile.mkdtemp()) / "loop.py"
        locustfile.write_text(LOOP)

        # 1. CPU per request, plugin vs bare: one after the other (interleaved), then at the same
        #    time; and 80 % of capacity in the open model once per round, so "within 1 % in
        #    every run" is seen as often as the ratio.
        per_request: dict[str, list[float]] = {"bare": [], "plugin": []}
        throughput: dict[str, list[float]] = {"bare": [], "plugin": []}
        together: list[float] = []
        at_80: list[dict[str, float]] = []
        for _ in range(args.rounds):
            pair = side_by_side(locustfile, [host for _, host in servers], args.seconds)
            together.append(pair["plugin"] / pair["bare"])
            # The open model's 80 % right after the plugin's capacity is measured: on a shared
            # machine capacity moves by a third within minutes.
            for name in ("bare", "plugin"):
                cpu, count, wall = locust(
                    locustfile, host, args.seconds, 20, plugin=name == "plugin"
                )
                per_request[name].append(cpu / count * 1e6)
                throughput[name].append(count / wall)
            at_80.append(open_model(locustfile, host, args.seconds, throughput["plugin"][-1] * 0.8))
        ratios = [p / b for p, b in zip(per_request["plugin"], per_request["bare"], strict=True)]
        capacity = statistics.median(throughput["plugin"])
        print("| generator (one core) | CPU µs per request (median) | requests/s (median) |")
        print("|---|---:|---:|")
        for name in ("bare", "plugin"):
            print(f"| FastHttpUser loop, {name} | {statistics.median(per_request[name]):.0f} | "
                  f"{statistics.median(throughput[name]):,.0f} |")  # fmt: skip
        print()
        print(ratio_line("CPU per request, with the plugin / bare, one after the other", ratios))
        print(ratio_line("CPU per request, with the plugin / bare, side by side", together))
        print()

        # 2. Open model accuracy at shares of capacity.
        print(
            "| target (share of capacity) | target arrivals/s | achieved/target | dropped | cut |"
        )
        print("|---|---:|---:|---:|---:|")
        for share in (0.1, 0.2, 0.4, 0.6):
            row = open_model(locustfile, host, args.seconds, capacity * share)
            print(f"| {share:.0%} | {row['rate']:,.0f} | {row['achieved']:.4f} | "
                  f"{row['dropped']:.0f} | {row['cut']:.0f} |")  # fmt: skip
        for index, row in enumerate(at_80, start=1):
            print(f"| 80 % (round {index}) | {row['rate']:,.0f} | {row['achieved']:.4f} | "
                  f"{row['dropped']:.0f} | {row['cut']:.0f} |")  # fmt: skip
        every = all(abs(row["achieved"] - 1.0) <= 0.01 for row in at_80)
        print(
            f"\nOpen model at 80 % of capacity within 1 % in every run: **{'yes' if every else 'no'}**"
        )

        # 3. --processes 2 vs 1, closed and saturating (both cores; the server is on core 0).
        rps = {}
        for processes in (1, 2):
            _, count, wall = locust(
                locustfile, host, args.seconds, 40, plugin=True, cores="0,1", processes=processes
            )
            rps[processes] = count / wall
        print(f"\n--processes 2 / 1: {rps[2] / rps[1]:.2f}× ({rps[2]:,.0f} vs {rps[1]:,.0f} req/s; server on "
              "core 0, Locust on cores 0–1: the 2-core machine is the limit)")  # fmt: skip
    finally:
        for server, _ in servers:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
