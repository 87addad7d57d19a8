"""The load generator's own cost and accuracy, measured side by side in one run.

    .venv/bin/python benchmarks/generator.py [--rounds 3] [--seconds 10]

A hello-world aiohttp server (benchmarks/hello_app.py) pinned to core 0 is the target, so the
generator, pinned to core 1, is what saturates. Reports:

1. CPU time per request: a FastHttpUser loop with loadgate's plugin loaded vs the same loop bare
   (goal ≤ 1.10×), interleaved, median of per-round ratios;
2. open model: achieved vs target arrivals at 10 % … 80 % of the generator's capacity (goal within 1 %);
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
import time
from pathlib import Path

import psutil
import requests

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


def locust(
    locustfile: Path,
    host: str,
    seconds: int,
    users: int,
    plugin: bool,
    cores: str = "1",
    env: dict[str, str] | None = None,
    processes: int = 1,
) -> tuple[float, int]:
    """Run Locust; returns (CPU seconds of all its processes, requests)."""
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
    cpu: dict[int, float] = {}
    while process.poll() is None:
        for p in [root, *root.children(recursive=True)]:
            try:
                times = p.cpu_times()
                cpu[p.pid] = times.user + times.system
            except psutil.Error:
                pass
        time.sleep(0.2)
    stats = json.loads(Path(f"{out}.json").read_text())
    return sum(cpu.values()), sum(entry["num_requests"] for entry in stats)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(["taskset", "-c", "0", sys.executable, str(REPO / "benchmarks/hello_app.py"),
                               "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        for _ in range(100):
            try:
                if requests.get(f"{host}/hello", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        locustfile = Path(tempfile.mkdtemp()) / "loop.py"
        locustfile.write_text(LOOP)

        # 1. CPU per request, plugin vs bare, interleaved.
        per_request: dict[str, list[float]] = {"bare": [], "plugin": []}
        throughput: dict[str, list[float]] = {"bare": [], "plugin": []}
        for _ in range(args.rounds):
            for name in ("bare", "plugin"):
                cpu, count = locust(locustfile, host, args.seconds, 20, plugin=name == "plugin")
                per_request[name].append(cpu / count * 1e6)
                throughput[name].append(count / args.seconds)
        ratio = statistics.median(
            p / b for p, b in zip(per_request["plugin"], per_request["bare"], strict=True)
        )
        capacity = statistics.median(throughput["plugin"])
        print("| generator (one core) | CPU µs per request (median) | requests/s (median) |")
        print("|---|---:|---:|")
        for name in ("bare", "plugin"):
            print(f"| FastHttpUser loop, {name} | {statistics.median(per_request[name]):.0f} | "
                  f"{statistics.median(throughput[name]):,.0f} |")  # fmt: skip
        print(f"\nCPU per request, with the plugin / bare: **{ratio:.2f}×** (goal ≤ 1.10×)\n")

        # 2. Open model accuracy at shares of capacity.
        print("| target (share of capacity) | target arrivals/s | achieved/target | dropped |")
        print("|---|---:|---:|---:|")
        for share in (0.1, 0.2, 0.4, 0.6, 0.8):
            rate = capacity * share
            results = Path(tempfile.mkdtemp())
            profile = {"stages": [{"duration_s": 1.0, "rate": rate, "ramp": False}], "poisson": False,
                       "max_lateness_s": 1.0, "seed": 1, "share": 1.0}  # fmt: skip
            env = {"LOADGATE_ARRIVALS": json.dumps(profile), "LOADGATE_RESULTS_DIR": str(results),
                   "LOADGATE_WARMUP_S": "2"}  # fmt: skip
            locust(
                locustfile, host, args.seconds + 2, max(10, int(rate * 0.05)), plugin=True, env=env
            )
            [client] = results.glob("client-*.json")
            arrivals = json.loads(client.read_text())["arrivals"]
            achieved = arrivals["started"] / arrivals["expected"]
            print(f"| {share:.0%} | {rate:,.0f} | {achieved:.4f} | {arrivals['dropped']} |")

        # 3. --processes 2 vs 1, closed and saturating (both cores; the server is on core 0).
        rps = {}
        for processes in (1, 2):
            _, count = locust(
                locustfile, host, args.seconds, 40, plugin=True, cores="0,1", processes=processes
            )
            rps[processes] = count / args.seconds
        print(f"\n--processes 2 / 1: {rps[2] / rps[1]:.2f}× ({rps[2]:,.0f} vs {rps[1]:,.0f} req/s; server on "
              "core 0, Locust on cores 0–1: the 2-core machine is the limit)")  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
