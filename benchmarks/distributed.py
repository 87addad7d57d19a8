"""What a distributed run costs: a worker's requests per core, and a master's cost per worker.

    .venv/bin/python benchmarks/distributed.py [--rounds 3] [--seconds 20] [--workers 1,4,8,16]

Locust's own master and workers with loadgate's plugin, as `loadgate run --expect-workers` runs
them (docs/distributed.md), each worker's exporter scraped every second as Prometheus does.

1. **Requests per worker core**: one worker pinned to core 1, its target on core 0: a loop of
   requests to a hello-world server (the plugin's and Locust's cost alone), and the shipped shopper
   locustfile's pages without think time against the reference service (a realistic request).
   Δrequests (the worker's own counter) / Δ CPU seconds of the worker, over the middle of the run.
2. **The master's cost per worker**: N workers of 2 busy shoppers each (as above) against the
   reference service, all sharing both cores with it; over the middle of the run, the master's CPU,
   the bytes each worker sends it per second (`ss`, its TCP connection's bytes_received), and at the
   end the size of each worker's results message (the client-*.json the master writes from it).
"""

from __future__ import annotations

import argparse
import json
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
PLUGIN = REPO / "harness/load/plugin.py"
LOCUSTFILES = REPO / "scenarios/locustfiles"
HELLO_LOOP = """
from locust import FastHttpUser, constant, task

class Loop(FastHttpUser):
    wait_time = constant(0)

    @task
    def hello(self):
        self.client.get("/hello", name="/hello")
"""
# The shipped shopper's pages back to back (imported as a module, so Locust runs only Busy).
BUSY_SHOPPER = f"""
import sys
sys.path.insert(0, {str(LOCUSTFILES)!r})
import recommendations
from locust import constant

class Busy(recommendations.Shopper):
    wait_time = constant(0)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(url: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@contextmanager
def server(argv: list[str], ready: str) -> Iterator[None]:
    process = subprocess.Popen(
        ["taskset", "-c", "0", sys.executable, *argv],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for(ready)
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)


def requests_sent(exporter_port: int) -> float:
    """A worker's loadgate_client_requests_total, summed; reading it is also its scrape."""
    with urllib.request.urlopen(f"http://127.0.0.1:{exporter_port}/metrics", timeout=5) as answer:
        text = answer.read().decode()
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("loadgate_client_requests_total{")
    )


def master_bytes_received(master_port: int) -> dict[str, int]:
    """Bytes the master has received on each worker's connection (by the worker's address)."""
    out = subprocess.run(
        ["ss", "-tinH", "state", "established", f"( sport = :{master_port} )"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    received, peer = {}, None
    for line in out.splitlines():
        fields = line.split()
        if len(fields) >= 4 and ":" in fields[-1] and not line.startswith("\t"):
            peer = fields[-1]
        elif peer is not None and (match := re.search(r"bytes_received:(\d+)", line)):
            received[peer] = int(match.group(1))
    return received


@contextmanager
def distributed(
    locustfile: Path, host: str, workers: int, users: int, seconds: int, worker_cores: str
) -> Iterator[tuple[psutil.Process, list[psutil.Process], list[int], int, Path]]:
    """A Locust master (core 0) and its workers, started as loadgate and a user start them."""
    master_port, results = free_port(), Path(tempfile.mkdtemp())
    exporters = [free_port() for _ in range(workers)]
    master = subprocess.Popen(
        ["taskset", "-c", "0", sys.executable, "-m", "locust", "-f", f"{PLUGIN},{locustfile}",
         "--master", "--headless", "--expect-workers", str(workers), "--master-bind-port",
         str(master_port), "-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--host", host,
         "--loglevel", "WARNING"],
        cwd=REPO, env={"PATH": "/usr/bin:/bin", "LOADGATE_RESULTS_DIR": str(results)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    started = [
        subprocess.Popen(
            [
                "taskset",
                "-c",
                worker_cores,
                sys.executable,
                "-m",
                "locust",
                "-f",
                f"{PLUGIN},{locustfile}",
                "--worker",
                "--master-port",
                str(master_port),
            ],
            cwd=REPO,
            env={"PATH": "/usr/bin:/bin", "LOADGATE_METRICS_PORTS": str(port)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in exporters
    ]
    try:
        # Many workers starting on few cores take a while: measure once all are connected.
        deadline = time.monotonic() + 180
        while len(master_bytes_received(master_port)) < workers:
            if time.monotonic() > deadline or master.poll() is not None:
                raise RuntimeError(f"{workers} workers did not all connect within 180 s")
            time.sleep(0.2)
        yield (psutil.Process(master.pid), [psutil.Process(w.pid) for w in started], exporters,
               master_port, results)  # fmt: skip
        # Scraped every second until they quit, as Prometheus would (they wait for one last).
        deadline = time.monotonic() + seconds + 60
        while master.poll() is None and time.monotonic() < deadline:
            for port in exporters:
                with suppress(OSError):
                    requests_sent(port)
            time.sleep(1)
    finally:
        for process in (master, *started):
            process.kill()
            process.wait(timeout=10)


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def requests_per_core(locustfile: Path, host: str, seconds: int) -> dict[str, float]:
    """One busy worker, over the run's middle: requests per CPU-second and per second, the bytes
    it sent the master per second, and its results message's size."""
    with distributed(locustfile, host, 1, 40, seconds, "1") as (
        _,
        (worker,),
        (port,),
        master_port,
        results,
    ):
        time.sleep(seconds * 0.3)  # past the spawn: the middle of the run is measured
        cpu_a, sent_a, t_a = cpu_seconds(worker), requests_sent(port), time.monotonic()
        bytes_a = master_bytes_received(master_port)
        time.sleep(seconds * 0.5)
        cpu_b, sent_b, t_b = cpu_seconds(worker), requests_sent(port), time.monotonic()
        bytes_b = master_bytes_received(master_port)
    (peer,) = bytes_b
    (size,) = [p.stat().st_size for p in results.glob("client-*.json")]
    return {
        "per_cpu_second": (sent_b - sent_a) / (cpu_b - cpu_a),
        "per_second": (sent_b - sent_a) / (t_b - t_a),
        "bytes_per_s": (bytes_b[peer] - bytes_a[peer]) / (t_b - t_a),
        "results_kb": size / 1024,
    }


def master_cost(locustfile: Path, host: str, workers: int, seconds: int) -> dict[str, float]:
    with distributed(locustfile, host, workers, 2 * workers, seconds, "0,1") as (
        master, _, _, master_port, results,
    ):  # fmt: skip
        time.sleep(seconds * 0.3)
        cpu_a, bytes_a, t_a = (
            cpu_seconds(master),
            master_bytes_received(master_port),
            time.monotonic(),
        )
        time.sleep(seconds * 0.5)
        cpu_b, bytes_b, t_b = (
            cpu_seconds(master),
            master_bytes_received(master_port),
            time.monotonic(),
        )
    per_worker = [
        (bytes_b[peer] - bytes_a[peer]) / (t_b - t_a) for peer in bytes_b if peer in bytes_a
    ]
    sizes = [p.stat().st_size for p in results.glob("client-*.json")]
    return {
        "master_cpu_percent": 100 * (cpu_b - cpu_a) / (t_b - t_a),
        "bytes_per_s_per_worker": statistics.median(per_worker),
        "results_kb_per_worker": statistics.median(sizes) / 1024 if sizes else float("nan"),
        "results_arrived": len(sizes),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--workers", default="1,4,8,16")
    parser.add_argument("--only", choices=["per-core", "master"], help="one of the two parts")
    args = parser.parse_args()
    hello_port, service_port = free_port(), free_port()
    hello, service = f"http://127.0.0.1:{hello_port}", f"http://127.0.0.1:{service_port}"
    loop, busy = (Path(tempfile.mkdtemp()) / name for name in ("loop.py", "busy.py"))
    loop.write_text(HELLO_LOOP)
    busy.write_text(BUSY_SHOPPER)
    hello_server = ["benchmarks/hello_app.py", "--port", str(hello_port)]
    reference = ["-m", "services_under_test.recommender", "--port", str(service_port)]
    with server(hello_server, f"{hello}/hello"), server(reference, f"{service}/healthz"):
        per_core: dict[str, list[dict[str, float]]] = {"hello": [], "shopper": []}
        for _ in range(
            args.rounds if args.only != "master" else 0
        ):  # interleaved: the machine's noise falls on both alike
            per_core["hello"].append(requests_per_core(loop, hello, args.seconds))
            per_core["shopper"].append(requests_per_core(busy, service, args.seconds))
        if args.only != "master":
            print("| one worker, one core, with the plugin | requests per CPU-second | requests/s "
                  "| bytes/s to the master | results message |")  # fmt: skip
            print("|---|---:|---:|---:|---:|")
            for name, label in (
                ("hello", "hello-world loop"),
                ("shopper", "shipped shopper pages, no think time"),
            ):

                def median(key: str, name: str = name) -> float:
                    return statistics.median(r[key] for r in per_core[name])

                print(f"| {label} | {median('per_cpu_second'):,.0f} | {median('per_second'):,.0f} | "
                      f"{median('bytes_per_s'):,.0f} | {median('results_kb'):.0f} KB |")  # fmt: skip
        print("\n| workers | master CPU (% of a core) | per worker | bytes/s per worker to the master "
              "| results message per worker | results arrived |")  # fmt: skip
        print("|---:|---:|---:|---:|---:|---:|")
        for workers in (int(w) for w in args.workers.split(",") if args.only != "per-core"):
            runs = [master_cost(busy, service, workers, args.seconds) for _ in range(args.rounds)]
            cpu = statistics.median(r["master_cpu_percent"] for r in runs)
            print(f"| {workers} | {cpu:.1f} | {cpu / workers:.2f} | "
                  f"{statistics.median(r['bytes_per_s_per_worker'] for r in runs):,.0f} | "
                  f"{statistics.median(r['results_kb_per_worker'] for r in runs):.0f} KB | "
                  f"{min(r['results_arrived'] for r in runs)} of {workers} |")  # fmt: skip
        print(json.dumps({"per_core": per_core}))


if __name__ == "__main__":
    main()
