"""Saturation throughput of the reference service, as ratios measured side by side in one run.

    .venv/bin/python benchmarks/service_throughput.py [--rounds 5] [--seconds 5] [--loop uvloop]
        [--variants hello,home-mem,home] [--skip-load]

Each server runs pinned to core 0, wrk to core 1 (taskset); variants are interleaved round by
round, so machine noise hits them alike; the report gives medians of per-round ratios.

  hello      aiohttp hello-world JSON, same run_app settings and event loop (the stack's ceiling)
  home-mem   GET /v1/recommendations/home, in-memory store (the default), warm cache, instrumented
  home       the same on the Redis store
  home-bare  home (Redis) without per-request HTTP metrics
  home-rr    home with re-ranking by the downstream service (pinned to core 1, beside wrk)
  home-2w    home with --workers 2 (cores 0 and 1, wrk on core 1: only 2 cores here)
  home-nologic  home-mem with the ranking taken out (service_without_logic.py): the ceiling of
             home's ratio, whatever the recommendation logic costs

Home requests are for random users of the 100k user base (benchmarks/users.lua: the realistic mix
of shoppers with long, short and no history). Then the p99 of home-mem and of home at 50 % of
their own saturation rate (the same script, paced). ``--loop`` runs hello and every service
variant on the same event loop. Writes the tables to stdout as Markdown, for docs/performance.md.
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
VARIANTS = ("hello", "home-mem", "home", "home-bare", "home-rr", "home-2w", "home-nologic")


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
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default="asyncio")
    parser.add_argument(
        "--variants",
        type=lambda text: text.split(","),
        default=list(VARIANTS),
        help=f"comma-separated, from {','.join(VARIANTS)} (hello is always run)",
    )
    parser.add_argument(
        "--skip-load", action="store_true", help="Redis already holds the loader's histories"
    )
    args = parser.parse_args()
    assert shutil.which("wrk") and shutil.which("taskset"), (
        "needs wrk and taskset (apt-get install wrk)"
    )
    unknown = set(args.variants) - set(VARIANTS)
    assert not unknown, f"unknown variants {unknown}; known: {VARIANTS}"
    wanted = ["hello", *(v for v in VARIANTS if v in args.variants and v != "hello")]
    if not args.skip_load and any(v != "hello" and v != "home-mem" for v in wanted):
        subprocess.run(
            [PY, "-m", "services_under_test.recommender.load_store", "--store", REDIS],
            cwd=REPO,
            check=True,
        )

    port_of = {name: free_port() for name in VARIANTS}
    reranker_port = free_port()
    loop = ["--loop", args.loop]
    service_flags = ["--max-concurrency", "10000", *loop]
    in_memory = [PY, "-m", "services_under_test.recommender", *service_flags]
    recommender = [*in_memory, "--store", REDIS]
    every_server = {
        "hello": ([PY, "benchmarks/hello_app.py", *loop], "0", "/hello"),
        "home-mem": (in_memory, "0", "/healthz"),
        "home": (recommender, "0", "/healthz"),
        "home-bare": ([*recommender, "--no-instrumentation"], "0", "/healthz"),
        "home-rr": (
            [*recommender, "--downstream", f"http://127.0.0.1:{reranker_port}"],
            "0",
            "/healthz",
        ),
        "home-2w": ([*recommender, "--workers", "2"], "0,1", "/healthz"),
        "home-nologic": (
            [PY, "benchmarks/service_without_logic.py", *service_flags],
            "0",
            "/healthz",
        ),
    }
    servers = {name: every_server[name] for name in wanted}
    reranker = [PY, "-m", "services_under_test.reranker", "--port", str(reranker_port)]
    users = ["-s", str(REPO / "benchmarks/users.lua")]
    results: dict[str, list[float]] = {name: [] for name in servers}
    with ExitStack() as stack:
        if "home-rr" in servers:
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
        paced: dict[str, tuple[float, str]] = {}
        for name in ("home-mem", "home"):
            if name in servers:
                half = statistics.median(results[name]) / 2
                url = f"http://127.0.0.1:{port_of[name]}/"
                paced[name] = (half, wrk(url, 10, users, {"RATE": f"{half:.0f}"}))

    def ratio(a: str, b: str) -> float:
        return statistics.median(x / y for x, y in zip(results[a], results[b], strict=True))

    def ratio_row(label: str, a: str, b: str, goal: str) -> None:
        if a in results and b in results:
            print(f"| {label} | {ratio(a, b):.2f}× | {goal} |")

    print("| variant | median req/s | per round |")
    print("|---|---:|---|")
    for name, values in results.items():
        print(
            f"| {name} | {statistics.median(values):,.0f} | {', '.join(f'{v:.0f}' for v in values)} |"
        )
    print()
    print(f"event loop: {args.loop}")
    print()
    print("| ratio (median of per-round ratios) | value | goal |")
    print("|---|---:|---|")
    ratio_row("home in memory / hello (home-mem / hello)", "home-mem", "hello", "≥ 0.5×")
    ratio_row("home on Redis / hello (home / hello)", "home", "hello", "≥ 0.3×")
    ratio_row("instrumented / uninstrumented (home / home-bare)", "home", "home-bare", "≥ 0.95×")
    ratio_row("with re-ranking / without (home-rr / home)", "home-rr", "home", "—")
    ratio_row("2 workers / 1 worker (home-2w / home)", "home-2w", "home", "—")
    ratio_row("without the ranking / hello (home-nologic / hello)", "home-nologic", "hello", "—")
    print()
    for name, (half, output) in paced.items():
        achieved = requests_per_second(output)
        print(
            f"p99 of {name} at 50 % of its saturation ({achieved:,.0f} req/s of {half:,.0f} asked):"
            f" {p99_ms(output):.2f} ms"
        )


if __name__ == "__main__":
    main()
