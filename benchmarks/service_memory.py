"""What grows in the reference service under the soak's traffic, and where it was allocated.

    .venv/bin/python benchmarks/service_memory.py [--seconds 480] [--users 40] [--every 30]
        [--tracemalloc] [--many-users] [--top 8]

Starts the re-ranking service and the recommender (memory store, as `loadgate soak` does) and
drives them with the soak's locustfile for --seconds (closed model: --users Locust users running
shopper sessions, shoppers drawn from the 100k by a Zipf law; --many-users:
benchmarks/many_users_locustfile.py, every session's shopper drawn uniformly from the 100k).
Inside the service, every --every seconds, a thread records its RSS and Python's count of live
allocated blocks (``sys.getallocatedblocks``); RSS growing while the blocks stay flat would point
at the allocator (fragmentation), not at Python objects.

With --tracemalloc, tracing starts once the service answers (building the catalog is not growth),
the first sample after --warmup is the baseline, and each later sample diffs a snapshot against it:
the Python heap traced (this tool's own snapshots left out) and the allocation sites (file:line)
that grew most. Tracing slows the service several-fold and costs memory itself: judge RSS from a
run without it.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import threading
import time
import tracemalloc
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable
SHOPPERS = REPO / "scenarios" / "locustfiles" / "recommendations.py"
MANY = REPO / "benchmarks" / "many_users_locustfile.py"
START_TIMEOUT_S = 300.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=480, help="load duration")
    parser.add_argument("--users", type=int, default=40, help="Locust users (the soak's pool)")
    parser.add_argument("--every", type=float, default=30.0, help="seconds between samples")
    parser.add_argument("--warmup", type=float, default=60.0, help="baseline after this (s)")
    parser.add_argument("--tracemalloc", action="store_true", help="diff allocation sites")
    parser.add_argument("--many-users", action="store_true", help="users from all 100k ids")
    parser.add_argument("--top", type=int, default=8, help="allocation sites to print")
    args = parser.parse_args()

    out = REPO / "reports" / f"service-memory-{time.strftime('%Y%m%dT%H%M%S')}.jsonl"
    out.parent.mkdir(exist_ok=True)
    reranker_port, port = free_port(), free_port()
    config = {"out": str(out), "every": args.every, "warmup": args.warmup, "port": port,
              "trace": args.tracemalloc, "top": args.top}  # fmt: skip
    children = [
        subprocess.Popen([PY, "-m", "services_under_test.reranker", "--port", str(reranker_port)],
                         cwd=REPO, stderr=subprocess.DEVNULL),
        subprocess.Popen([PY, __file__, "--serve", json.dumps(config), "--port", str(port),
                          "--downstream", f"http://127.0.0.1:{reranker_port}"],
                         cwd=REPO, stderr=subprocess.DEVNULL),
    ]  # fmt: skip
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not answers(f"http://127.0.0.1:{port}/healthz"):
            if time.monotonic() > deadline or any(c.poll() is not None for c in children):
                print("the service did not start", file=sys.stderr)
                return 1
            time.sleep(0.5)
        locust = [
            PY, "-m", "locust", "-f", str(MANY if args.many_users else SHOPPERS), "--headless",
            "-u", str(args.users), "-r", str(args.users), "--run-time", f"{args.seconds}s",
            "--host", f"http://127.0.0.1:{port}", "--only-summary", "--loglevel", "WARNING",
        ]  # fmt: skip
        print("$", " ".join(locust[1:]), flush=True)
        subprocess.run(locust, cwd=REPO, check=False, timeout=args.seconds + 120)
    finally:
        for child in children:
            child.terminate()
            child.wait(timeout=30)
    report(out)
    return 0


def report(out: Path) -> None:
    samples = [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []
    if not samples:
        print("no samples", file=sys.stderr)
        return
    print(f"\nsamples: {out}\n\n| t (s) | RSS (MB) | Python blocks | traced heap (MB) |")
    print("|---:|---:|---:|---:|")
    for s in samples:
        traced = f"{s['traced_mb']:.2f}" if "traced_mb" in s else ""
        print(f"| {s['t_s']:.0f} | {s['rss_mb']:.1f} | {s['blocks']:,} | {traced} |")
    last = samples[-1]
    if last.get("top"):
        print(f"\nTop growing allocation sites, t={last['t_s']:.0f}s vs the baseline:\n")
        print("| site | size diff (KiB) | blocks diff |\n|---|---:|---:|")
        for site in last["top"]:
            where = site["site"].replace(str(REPO) + "/", "")
            print(f"| {where} | {site['size_diff'] / 1024:+.1f} | {site['count_diff']:+,} |")


# --- inside the service process -------------------------------------------------------------


def rss_mb() -> float:
    with Path("/proc/self/statm").open() as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def sample_forever(config: dict[str, Any]) -> None:
    while not answers(f"http://127.0.0.1:{config['port']}/healthz"):
        time.sleep(0.5)
    if config["trace"]:
        tracemalloc.start(1)
    own = [tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, __file__)]
    started, baseline = time.monotonic(), None
    with Path(config["out"]).open("a") as out:
        while True:
            time.sleep(config["every"])
            t = time.monotonic() - started
            sample: dict[str, Any] = {
                "t_s": t,
                "rss_mb": rss_mb(),
                "blocks": sys.getallocatedblocks(),
            }
            if config["trace"]:
                snapshot = tracemalloc.take_snapshot().filter_traces(own)
                sample["traced_mb"] = sum(s.size for s in snapshot.statistics("filename")) / 1e6
                if baseline is None and t >= config["warmup"]:
                    baseline = snapshot
                elif baseline is not None:
                    growing = sorted(
                        snapshot.compare_to(baseline, "lineno"), key=lambda d: -d.size_diff
                    )
                    sample["top"] = [
                        {"site": str(d.traceback[0]), "size_diff": d.size_diff, "count_diff": d.count_diff}
                        for d in growing[: config["top"]]
                    ]  # fmt: skip
            out.write(json.dumps(sample) + "\n")
            out.flush()


def serve(config: dict[str, Any], argv: list[str]) -> None:
    threading.Thread(target=sample_forever, args=(config,), daemon=True).start()
    sys.path.insert(0, str(REPO))  # this checkout's service, whatever the venv has installed
    from services_under_test.recommender.server import main as service_main

    service_main(argv)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--serve":
        serve(json.loads(sys.argv[2]), sys.argv[3:])
    else:
        sys.exit(main())
