"""Saturation throughput of the reference service, as ratios measured side by side in one run.

    .venv/bin/python benchmarks/service_throughput.py [--rounds 5] [--seconds 5]

Each server runs pinned to core 0, wrk to core 1 (taskset); variants are interleaved round by
round, so machine noise hits them alike; the report gives medians of per-round ratios.

  hello      aiohttp hello-world JSON, same run_app settings (the ceiling for this stack)
  home       GET /v1/recommendations/home, Redis store, warm cache, instrumented
  home-bare  the same without per-request HTTP metrics
  home-rr    home with re-ranking by the downstream service (pinned to core 1, beside wrk)
  home-2w    home with --workers 2 (cores 0 and 1, wrk on core 1: only 2 cores here)

Home requests are for random users of the 100k user base (benchmarks/users.lua); then the p99 of
home at 50 % of its saturation rate (the same script, paced).
Writes the table to stdout as Markdown, for docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable
REDIS = "redis://127.0.0.1:6379/0"
CONNECTIONS = 32


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(argv: list[str], cores: str, health: str) -> Iterator[None]:
    process = subprocess.Popen(
        ["taskset", "-c", cores, *argv],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(health, timeout=1).ok:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"{argv} did not start")
            time.sleep(0.1)
        yield
    finally:
        process.terminate()
        process.wait(timeout=20)


def wrk(
    url: str, seconds: int, extra: list[str] | None = None, env: dict[str, str] | None = None
) -> str:
    argv = [
        "taskset",
        "-c",
        "1",
        "wrk",
        "-t1",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        "--latency",
        *(extra or []),
        url,
    ]
    return subprocess.run(
        argv, capture_output=True, text=True, check=True, env={**os.environ, **(env or {})}
    ).stdout


def requests_per_second(output: str) -> float:
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    assert match, output
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    assert errors is None, f"errors during the run:\n{output}"
    return float(match.group(1))


def p99_ms(output: str) -> float:
    match = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    assert match, output
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=5)
    args = parser.parse_args()
    assert shutil.which("wrk") and shutil.which("taskset"), (
        "needs wrk and taskset (apt-get install wrk)"
    )
    subprocess.run(
        [PY, "-m", "services_under_test.recommender.load_store", "--store", REDIS],
        cwd=REPO,
        check=True,
    )

    port_of = {name: free_port() for name in ("hello", "home", "home-bare", "home-rr", "home-2w")}
    reranker_port = free_port()
    recommender = [
        PY,
        "-m",
        "services_under_test.recommender",
        "--store",
        REDIS,
        "--max-concurrency",
        "10000",
    ]
    servers = {
        "hello": ([PY, "benchmarks/hello_app.py"], "0", "/hello"),
        "home": (recommender, "0", "/healthz"),
        "home-bare": ([*recommender, "--no-instrumentation"], "0", "/healthz"),
        "home-rr": (
            [*recommender, "--downstream", f"http://127.0.0.1:{reranker_port}"],
            "0",
            "/healthz",
        ),
        "home-2w": ([*recommender, "--workers", "2"], "0,1", "/healthz"),
    }
    reranker = [PY, "-m", "services_under_test.reranker", "--port", str(reranker_port)]
    users = ["-s", str(REPO / "benchmarks/users.lua")]
    results: dict[str, list[float]] = {name: [] for name in servers}
    with ExitStack() as stack:
        stack.enter_context(server(reranker, "1", f"http://127.0.0.1:{reranker_port}/healthz"))
        for name, (argv, cores, health) in servers.items():
            port = port_of[name]
            stack.enter_context(
                server([*argv, "--port", str(port)], cores, f"http://127.0.0.1:{port}{health}")
            )
        for round_no in range(args.rounds):
            for name in servers:
                url = f"http://127.0.0.1:{port_of[name]}" + ("/hello" if name == "hello" else "/")
                script = [] if name == "hello" else users
                wrk(url, 1, script)  # warm-up: caches, connections
                results[name].append(requests_per_second(wrk(url, args.seconds, script)))
            progress = ", ".join(f"{n} {v[-1]:.0f}" for n, v in results.items())
            print(f"round {round_no + 1}: {progress}", file=sys.stderr)
        half = statistics.median(results["home"]) / 2
        paced = wrk(f"http://127.0.0.1:{port_of['home']}/", 10, users, {"RATE": f"{half:.0f}"})

    def ratio(a: str, b: str) -> float:
        return statistics.median(x / y for x, y in zip(results[a], results[b], strict=True))

    print("| variant | median req/s | per round |")
    print("|---|---:|---|")
    for name, values in results.items():
        print(
            f"| {name} | {statistics.median(values):,.0f} | {', '.join(f'{v:.0f}' for v in values)} |"
        )
    print()
    print("| ratio (median of per-round ratios) | value | goal |")
    print("|---|---:|---|")
    print(f"| home / hello | {ratio('home', 'hello'):.2f}× | ≥ 0.5× |")
    print(
        f"| instrumented / uninstrumented (home / home-bare) | {ratio('home', 'home-bare'):.2f}× | ≥ 0.95× |"
    )
    print(f"| with re-ranking / without (home-rr / home) | {ratio('home-rr', 'home'):.2f}× | — |")
    print(f"| 2 workers / 1 worker (home-2w / home) | {ratio('home-2w', 'home'):.2f}× | — |")
    print()
    achieved = requests_per_second(paced)
    print(
        f"p99 of home at 50 % of saturation ({achieved:,.0f} req/s of {half:,.0f} asked): {p99_ms(paced):.2f} ms"
    )


if __name__ == "__main__":
    main()
